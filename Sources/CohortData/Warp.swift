/// An affine map from output pixel indices (x, y) to source pixel coordinates: `sx = a·x + b·y + c`, `sy = d·x + e·y + f`.
struct AffineMap: Equatable, Sendable {
    var a, b, c, d, e, f: Double
}

/// Bilinear resampling of an 8-bit HWC raster through an affine map into normalized float CHW.
///
/// A source coordinate within half a pixel of the image is clamped to the border (so resizing never darkens the
/// edges); anything further out (shifted or rotated in from outside) is filled with 0 after normalization, i.e. black
/// for `/255` and the mean colour for ImageNet statistics. Integer source coordinates copy pixels exactly.
enum Warp {
    static func sample(_ source: UnsafeBufferPointer<UInt8>, width sw: Int, height sh: Int, channels sc: Int,
                       map: AffineMap, into out: UnsafeMutableBufferPointer<Float>, shape: ImageShape,
                       normalization: PixelNormalization) {
        let C = shape.channels, H = shape.height, W = shape.width, plane = H &* W
        precondition(sc == C || sc == 1, "Warp: \(sc)-channel source for a \(C)-channel output")
        precondition(out.count >= shape.count && source.count >= sw * sh * sc, "Warp: buffer too small")
        var mean = [Float](repeating: 0, count: C), inverseStd = [Float](repeating: 0, count: C)
        for ch in 0..<C { (mean[ch], inverseStd[ch]) = normalization.parameters(channel: ch, of: C) }
        let maxX = Double(sw) - 0.5, maxY = Double(sh) - 0.5
        let lastX = Double(sw - 1), lastY = Double(sh - 1)
        let src = source.baseAddress!, dst = out.baseAddress!
        let step = sc == 1 ? 0 : 1
        mean.withUnsafeBufferPointer { mean in
            inverseStd.withUnsafeBufferPointer { inverseStd in
                for y in 0..<H {
                    let rowX = map.b * Double(y) + map.c, rowY = map.e * Double(y) + map.f
                    for x in 0..<W {
                        let fx = map.a * Double(x) + rowX, fy = map.d * Double(x) + rowY
                        let o = y &* W &+ x
                        if fx < -0.5 || fy < -0.5 || fx > maxX || fy > maxY {
                            for ch in 0..<C { dst[ch &* plane &+ o] = 0 }
                            continue
                        }
                        let cx = min(max(fx, 0), lastX), cy = min(max(fy, 0), lastY)
                        let x0 = Int(cx), y0 = Int(cy)
                        let wx = Float(cx - Double(x0)), wy = Float(cy - Double(y0))
                        let x1 = x0 &+ (x0 < sw &- 1 ? 1 : 0), y1 = y0 &+ (y0 < sh &- 1 ? 1 : 0)
                        let p00 = (y0 &* sw &+ x0) &* sc, p01 = (y0 &* sw &+ x1) &* sc
                        let p10 = (y1 &* sw &+ x0) &* sc, p11 = (y1 &* sw &+ x1) &* sc
                        for ch in 0..<C {
                            let k = ch &* step
                            let v00 = Float(src[p00 &+ k]), v01 = Float(src[p01 &+ k])
                            let v10 = Float(src[p10 &+ k]), v11 = Float(src[p11 &+ k])
                            let top = v00 + (v01 - v00) * wx, bottom = v10 + (v11 - v10) * wx
                            let v = top + (bottom - top) * wy
                            dst[ch &* plane &+ o] = (v / 255 - mean[ch]) * inverseStd[ch]
                        }
                    }
                }
            }
        }
    }

    /// Convenience over a `Raster`.
    static func sample(_ raster: Raster, map: AffineMap, into out: UnsafeMutableBufferPointer<Float>,
                       shape: ImageShape, normalization: PixelNormalization) {
        raster.pixels.withUnsafeBufferPointer {
            sample($0, width: raster.width, height: raster.height, channels: raster.channels,
                   map: map, into: out, shape: shape, normalization: normalization)
        }
    }
}
