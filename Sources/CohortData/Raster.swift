/// An 8-bit image, rows top to bottom, channels interleaved (HWC): what decoders produce and IDX files hold.
package struct Raster: Sendable, Equatable {
    package var width: Int
    package var height: Int
    /// 1 (gray) or 3 (RGB).
    package var channels: Int
    /// `height * width * channels` bytes.
    package var pixels: [UInt8]

    package init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels, "Raster: \(pixels.count) bytes for \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}

/// Per-channel normalization applied to 0…255 pixel values: `out = (v / 255 - mean) / std`.
package struct PixelNormalization: Sendable, Equatable {
    package var mean: [Float]
    package var std: [Float]

    package init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count && !mean.isEmpty, "PixelNormalization: mean and std need the same non-zero length")
        self.mean = mean
        self.std = std
    }

    /// `pixel / 255` (the Keras recipe for Fashion-MNIST).
    package static let unit = PixelNormalization(mean: [0], std: [1])
    /// ImageNet statistics after `/255`: mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).
    package static let imageNet = PixelNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    /// Mean and reciprocal std for channel `c` of `channels` (1-channel statistics apply to every channel;
    /// 3-channel statistics are averaged for a 1-channel output). Applied as `(v / 255 - mean) * inverseStd`,
    /// so `.unit` gives exactly `v / 255`.
    func parameters(channel c: Int, of channels: Int) -> (mean: Float, inverseStd: Float) {
        let m: Float, s: Float
        if mean.count == channels { (m, s) = (mean[c], std[c]) }
        else if mean.count == 1 { (m, s) = (mean[0], std[0]) }
        else { (m, s) = (mean.reduce(0, +) / Float(mean.count), std.reduce(0, +) / Float(std.count)) }
        return (m, 1 / s)
    }
}
