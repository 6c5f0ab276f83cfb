/// Resizing an 8-bit raster (`cohort pack --resize`): one bilinear pass of `Warp` over the whole image, rounded back
/// to bytes.
enum ImageResize {
    /// `raster` scaled so its shorter side is `side` (the longer side rounded to the nearest pixel).
    static func shorterSide(_ raster: Raster, to side: Int) -> Raster {
        let short = min(raster.width, raster.height), long = max(raster.width, raster.height)
        let scaledLong = max(1, Int((Double(long) * Double(side) / Double(short)).rounded()))
        let (w, h) = raster.width <= raster.height ? (side, scaledLong) : (scaledLong, side)
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
