import CohortRandom
/// An MNIST-family dataset held in memory: 8-bit gray images from an IDX pair, or any contiguous sub-range of one
/// (holdout and limit are ranges over the same storage, never copies).
package struct IDXDataset: ImageDataset {
    /// Fashion-MNIST class names, label order.
    package static let fashionClassNames = ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat",
                                           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot"]
    /// MNIST digit class names.
    package static let digitClassNames = (0..<10).map(String.init)

    package let classNames: [String]
    package let imageShape: ImageShape
    /// The native image size (rows × columns of the IDX file).
    package let nativeWidth: Int, nativeHeight: Int
    package let normalization: PixelNormalization
    private let pixels: [UInt8]
    private let labels: [UInt8]
    private let range: Range<Int>

    package var count: Int { range.count }

    /// Reads an image file and a label file (raw or `.gz`), checking formats and that the counts agree.
    /// `imageShape` nil = native 1×rows×cols; otherwise samples are resized (and replicated to 3 channels if asked).
    package init(images: String, labels labelPath: String, classNames: [String], imageShape: ImageShape? = nil,
                normalization: PixelNormalization = .unit) throws {
        let imageFile = try IDXFile(path: images, expectedDimensions: 3)
        let labelFile = try IDXFile(path: labelPath, expectedDimensions: 1)
        guard imageFile.count == labelFile.count else {
            throw DataError.countMismatch(images: images, imageCount: imageFile.count, labels: labelPath, labelCount: labelFile.count)
        }
        if let bad = labelFile.data.firstIndex(where: { Int($0) >= classNames.count }) {
            throw DataError.badIDX(path: labelPath, reason: "label \(labelFile.data[bad]) at index \(bad) is not below the class count \(classNames.count)")
        }
        let native = ImageShape(channels: 1, height: imageFile.dimensions[1], width: imageFile.dimensions[2])
        let shape = imageShape ?? native
        guard shape.channels == 1 || shape.channels == 3, shape.height > 0, shape.width > 0 else {
            throw DataError.invalidOption("image shape \(shape): IDX samples can be 1 or 3 channels of positive size")
        }
        self.init(pixels: imageFile.data, labels: labelFile.data, range: 0..<imageFile.count, classNames: classNames,
                  nativeWidth: native.width, nativeHeight: native.height, imageShape: shape, normalization: normalization)
    }

    private init(pixels: [UInt8], labels: [UInt8], range: Range<Int>, classNames: [String], nativeWidth: Int,
                 nativeHeight: Int, imageShape: ImageShape, normalization: PixelNormalization) {
        self.pixels = pixels
        self.labels = labels
        self.range = range
        self.classNames = classNames
        self.nativeWidth = nativeWidth
        self.nativeHeight = nativeHeight
        self.imageShape = imageShape
        self.normalization = normalization
    }

    /// Samples `sub` (relative to this dataset) as a dataset sharing the same storage.
    package func subset(_ sub: Range<Int>) -> IDXDataset {
        precondition(sub.lowerBound >= 0 && sub.upperBound <= count, "IDXDataset.subset \(sub) out of 0..<\(count)")
        return IDXDataset(pixels: pixels, labels: labels, range: (range.lowerBound + sub.lowerBound)..<(range.lowerBound + sub.upperBound),
                          classNames: classNames, nativeWidth: nativeWidth, nativeHeight: nativeHeight,
                          imageShape: imageShape, normalization: normalization)
    }

    package func label(at index: Int) -> Int { Int(labels[range.lowerBound + index]) }

    /// The raw 8-bit image of sample `index` (for conversion and tests).
    package func raster(at index: Int) -> Raster {
        let size = nativeWidth * nativeHeight, start = (range.lowerBound + index) * size
        return Raster(width: nativeWidth, height: nativeHeight, channels: 1, pixels: Array(pixels[start..<(start + size)]))
    }

    package func load(_ index: Int, into out: UnsafeMutableBufferPointer<Float>, augmentation: Augmentation, key: SampleKey) throws {
        precondition(index >= 0 && index < count, "IDXDataset.load: index \(index) out of 0..<\(count)")
        let transform = augmentation.transform(sourceWidth: nativeWidth, sourceHeight: nativeHeight, output: imageShape,
                                               centerFraction: 1, key: key)
        let map = transform.affineMap(width: imageShape.width, height: imageShape.height)
        let size = nativeWidth &* nativeHeight, start = (range.lowerBound &+ index) &* size
        pixels.withUnsafeBufferPointer { all in
            Warp.sample(UnsafeBufferPointer(rebasing: all[start..<(start &+ size)]), width: nativeWidth, height: nativeHeight,
                        channels: 1, map: map, into: out, shape: imageShape, normalization: normalization)
        }
    }
}
