/// im2col and its adjoint col2im for one image.
///
/// The column matrix has C·R·S rows (row `(c·R + r)·S + s`) and P·Q columns (column `p·Q + q`),
/// stored with leading dimension `ld` so several images can sit side by side in one matrix.
/// Entry = x[c, p·strideH − padTop + r, q·strideW − padLeft + s], or 0 in the padding.
package enum Im2Col {
    /// Writes the column matrix of `image` (C×H×W) into `columns`: all of it, or only the rows
    /// of `channels`.
    package static func im2col(_ g: ConvGeometry, image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>, ld: Int,
                              channels: Range<Int>? = nil) {
        let (H, W, Q) = (g.height, g.width, g.outW)
        for c in channels ?? 0..<g.channels {
            let plane = image.advanced(by: c &* g.inPlane)
            for r in 0..<g.kernelH {
                for s in 0..<g.kernelW {
                    let row = columns + ((c &* g.kernelH &+ r) &* g.kernelW &+ s) &* ld
                    // Output columns q whose input column lies inside [0, W).
                    let qStart = min(Q, max(0, ceilDiv(g.padLeft &- s, g.strideW)))
                    let qEnd = max(qStart, min(Q, ceilDiv(W &+ g.padLeft &- s, g.strideW)))
                    for p in 0..<g.outH {
                        let ih = p &* g.strideH &- g.padTop &+ r
                        let out = row + p &* Q
                        if ih < 0 || ih >= H {
                            out.update(repeating: 0, count: Q)
                            continue
                        }
                        if qStart > 0 { out.update(repeating: 0, count: qStart) }
                        let src = plane + (ih &* W &- g.padLeft &+ s)
                        if g.strideW == 1 {
                            (out + qStart).update(from: src + qStart, count: qEnd &- qStart)
                        } else {
                            var q = qStart
                            if g.strideW == 2 {   // eight columns a vector, reading only the row's elements
                                while q &+ 8 <= qEnd {
                                    Lanes.store(Lanes.loadEveryOther(src + 2 &* q), to: out + q)
                                    q &+= 8
                                }
                            }
                            while q < qEnd { out[q] = src[q &* g.strideW]; q &+= 1 }
                        }
                        if qEnd < Q { (out + qEnd).update(repeating: 0, count: Q &- qEnd) }
                    }
                }
            }
        }
    }

    /// Adds the column matrix back into `image` (C×H×W): the adjoint of `im2col`, for all
    /// channels or only `channels`. Does not zero `image`.
    package static func col2im(_ g: ConvGeometry, columns: UnsafePointer<Float>, ld: Int, image: UnsafeMutablePointer<Float>,
                              channels: Range<Int>? = nil) {
        let (H, W, Q) = (g.height, g.width, g.outW)
        for c in channels ?? 0..<g.channels {
            let plane = image.advanced(by: c &* g.inPlane)
            for r in 0..<g.kernelH {
                for s in 0..<g.kernelW {
                    let row = columns + ((c &* g.kernelH &+ r) &* g.kernelW &+ s) &* ld
                    let qStart = min(Q, max(0, ceilDiv(g.padLeft &- s, g.strideW)))
                    let qEnd = max(qStart, min(Q, ceilDiv(W &+ g.padLeft &- s, g.strideW)))
                    for p in 0..<g.outH {
                        let ih = p &* g.strideH &- g.padTop &+ r
                        if ih < 0 || ih >= H { continue }
                        let src = row + p &* Q
                        let dst = plane + (ih &* W &- g.padLeft &+ s)
                        var q = qStart
                        while q < qEnd { dst[q &* g.strideW] += src[q]; q &+= 1 }
                    }
                }
            }
        }
    }

    /// The naive twin of `im2col`: one bounds check per element.
    package static func naiveIm2col(_ g: ConvGeometry, image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>, ld: Int) {
        for c in 0..<g.channels {
            for r in 0..<g.kernelH {
                for s in 0..<g.kernelW {
                    for p in 0..<g.outH {
                        for q in 0..<g.outW {
                            let ih = p * g.strideH - g.padTop + r, iw = q * g.strideW - g.padLeft + s
                            let inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width
                            columns[((c * g.kernelH + r) * g.kernelW + s) * ld + p * g.outW + q] =
                                inside ? image[(c * g.height + ih) * g.width + iw] : 0
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    static func ceilDiv(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? (a &+ b &- 1) / b : -((-a) / b)
    }
}
