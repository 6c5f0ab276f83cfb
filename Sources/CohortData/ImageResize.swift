/// Resizing an 8-bit raster (`cohort pack --resize`): one bilinear pass of `Warp` over the whole image, rounded back
/// to bytes.
enum ImageResize {
    /// The size of a `width`×`height` image scaled so its shorter side is `side` (the longer rounded to the nearest pixel).
    static func shorterSide(width: Int, height: Int, to side: Int) -> (width: Int, height: Int) {
        let short = min(width, height), long = max(width, height)
        let scaledLong = max(1, Int((Double(long) * Double(side) / Double(short)).rounded()))
        return width <= height ? (side, scaledLong) : (scaledLong, side)
    }

    /// `raster` resampled (bilinear) to `w`×`h`; the raster itself when it already has that size.
    static func resized(_ raster: Raster, width w: Int, height h: Int) -> Raster {
        if raster.width == w && raster.height == h { return raster }
        let shape = ImageShape(channels: raster.channels, height: h, width: w)
        let planes = UnsafeMutableBufferPointer<Float>.allocate(capacity: shape.count)
        defer { planes.deallocate() }
        let map = SampleTransform.whole(sourceWidth: raster.width, sourceHeight: raster.height).affineMap(width: w, height: h)
        Warp.sample(raster, map: map, into: planes, shape: shape, normalization: .unit)
        var pixels = [UInt8](repeating: 0, count: shape.count)
        let plane = w * h, c = raster.channels
        pixels.withUnsafeMutableBufferPointer { out in
            for p in 0..<plane {
                for ch in 0..<c {
                    out[p * c + ch] = UInt8(min(max((planes[ch * plane + p] * 255).rounded(), 0), 255))
                }
            }
        }
        return Raster(width: w, height: h, channels: c, pixels: pixels)
    }
}
