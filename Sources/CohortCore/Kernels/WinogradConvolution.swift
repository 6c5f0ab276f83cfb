/// Winograd F(2×2, 3×3) convolution (Lavin & Gray, "Fast Algorithms for Convolutional Neural
/// Networks", 2016) for 3×3 stride-1 ungrouped layers: 16 multiplications per 2×2 output tile
/// instead of 36, so the three GEMMs of a training step do 2.25× less work than im2col's.
///
/// Each 4×4 input tile d (tiles start every 2 pixels) and each 3×3 filter w are transformed,
/// V = Bᵀ d B and U = G w Gᵀ; for every one of the 16 positions ξ, M[ξ] = U[ξ] · V[ξ] is a GEMM
/// ([K, C] · [C, tiles]); the output tile is y = Aᵀ M A. Backward is the exact adjoint of that
/// forward: M̃ = A dy Aᵀ, dU[ξ] = M̃[ξ] · V[ξ]ᵀ, dV[ξ] = U[ξ]ᵀ · M̃[ξ], dw = Gᵀ dU G and
/// dx = Σ B dV Bᵀ over the overlapping tiles. Layouts: V [16, C, T], M [16, K, T], U [16, K, C],
/// with T = images × tiles per image. Images are processed in chunks that bound the workspaces.
public final class WinogradConvolution {
    /// The convolution's geometry (3×3, stride 1; `channels` = C).
    public let geometry: ConvGeometry
    public let filters: Int
    let tilesH: Int, tilesW: Int
    private let transformedInput = Tensor(zeros: [0])
    private let transformedOutput = Tensor(zeros: [0])
    private let transformedWeights = Tensor(zeros: [0])
    private let transformedWeightGradient = Tensor(zeros: [0])

    /// Whether this algorithm computes a convolution of `geometry` with `groups` groups.
    public static func applies(to geometry: ConvGeometry, groups: Int) -> Bool {
        groups == 1 && geometry.kernelH == 3 && geometry.kernelW == 3 && geometry.strideH == 1 && geometry.strideW == 1
    }

    public init(geometry: ConvGeometry, filters: Int) {
        precondition(Self.applies(to: geometry, groups: 1), "Winograd F(2x2,3x3) needs a 3x3 stride-1 convolution")
        self.geometry = geometry
        self.filters = filters
        tilesH = (geometry.outH + 1) / 2
        tilesW = (geometry.outW + 1) / 2
    }

    var tilesPerImage: Int { tilesH * tilesW }

    /// Images per chunk: V and M hold at most 512K floats each (at least one image), so a chunk's
    /// transforms and GEMMs stay in cache. Larger chunks went to memory between the GEMMs and the
    /// transforms: fashion-cnn 255 img/s with 8M floats, ~320 with 512K, ~270 with 64K (`cohort bench`).
    static let workspaceFloats = 1 << 19

    func chunkSize(batch: Int) -> Int {
        max(1, min(batch, Self.workspaceFloats / (16 * max(geometry.channels, filters) * tilesPerImage)))
    }

    /// y = x ⋆ w (no bias) for `batch` images; x [N, C, H, W], w [K, C, 3, 3], y [N, K, P, Q].
    public func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, batch: Int, y: UnsafeMutablePointer<Float>) {
        let (c, k) = (geometry.channels, filters)
        let u = transformWeights(weight)
        let (v, m, chunk) = workspaces(batch: batch)
        var first = 0
        while first < batch {
            let images = min(chunk, batch - first), t = images * tilesPerImage
            transformInput(x + first * c * geometry.inPlane, images: images, into: v)
            for xi in 0..<16 {
                Gemm.multiply(transposeA: false, transposeB: false, m: k, n: t, k: c, a: u + xi * k * c, lda: c,
                              b: v + xi * c * t, ldb: t, beta: 0, c: m + xi * k * t, ldc: t)
            }
            transformOutput(m, images: images, into: y + first * k * geometry.outPlane)
            first += images
        }
    }

    /// Adds the weight gradient of `forward` to `weightGradient` [K, C, 3, 3] and, when
    /// `inputGradient` is given, adds the input gradient to it [N, C, H, W].
    public func backward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, batch: Int,
                         weightGradient: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?) {
        let (c, k) = (geometry.channels, filters)
        let u = UnsafePointer(transformWeights(weight))
        transformedWeightGradient.resize(to: [16 * k * c])
        transformedWeightGradient.zero()
        let du = transformedWeightGradient.values.baseAddress!
        let (v, m, chunk) = workspaces(batch: batch)
        var first = 0
        while first < batch {
            let images = min(chunk, batch - first), t = images * tilesPerImage
            transformInput(x + first * c * geometry.inPlane, images: images, into: v)
            transformOutputAdjoint(dy + first * k * geometry.outPlane, images: images, into: m)
            for xi in 0..<16 {
                Gemm.multiply(transposeA: false, transposeB: true, m: k, n: c, k: t, a: m + xi * k * t, lda: t,
                              b: v + xi * c * t, ldb: t, beta: 1, c: du + xi * k * c, ldc: c)
            }
            if let dx = inputGradient {
                for xi in 0..<16 {   // dV overwrites V, which is no longer needed
                    Gemm.multiply(transposeA: true, transposeB: false, m: c, n: t, k: k, a: u + xi * k * c, lda: c,
                                  b: m + xi * k * t, ldb: t, beta: 0, c: v + xi * c * t, ldc: t)
                }
                transformInputAdjoint(v, images: images, into: dx + first * c * geometry.inPlane)
            }
            first += images
        }
        transformWeightGradient(du, into: weightGradient)
    }

    private func workspaces(batch: Int) -> (v: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, chunk: Int) {
        let chunk = chunkSize(batch: batch), t = chunk * tilesPerImage
        transformedInput.resize(to: [16 * geometry.channels * t])
        transformedOutput.resize(to: [16 * filters * t])
        return (transformedInput.values.baseAddress!, transformedOutput.values.baseAddress!, chunk)
    }

    // MARK: - Transforms
    // Vectorised across 8 tiles (or 8 filter pairs) at a time: the transformed layouts keep those
    // contiguous. Threads split over image planes, so writes never collide.

    /// U = G w Gᵀ for every (k, c).
    private func transformWeights(_ w: UnsafePointer<Float>) -> UnsafeMutablePointer<Float> {
        let pairs = filters * geometry.channels
        transformedWeights.resize(to: [16 * pairs])
        let u = transformedWeights.values.baseAddress!
        ThreadSplit.forEachRange((pairs + 7) / 8, minimumPerThread: 32) { groups in
            Lanes.withScratch { d, tmp, out in
                for group in groups {
                    let first = group * 8, lanes = min(8, pairs - first)
                    let offsets = Lanes.clamped(first: first, lanes: lanes) &* 9
                    for e in 0..<9 { d[e] = Lanes.gather(w + e, offsets) }
                    Lanes.twoSided(d, n: 3, m: 4, tmp: tmp, out: out, Lanes.g)
                    for xi in 0..<16 { Lanes.store(out[xi], to: u + xi * pairs + first, lanes: lanes) }
                }
            }
        }
        return u
    }

    /// dw += Gᵀ dU G for every (k, c).
    private func transformWeightGradient(_ du: UnsafePointer<Float>, into dw: UnsafeMutablePointer<Float>) {
        let pairs = filters * geometry.channels
        ThreadSplit.forEachRange((pairs + 7) / 8, minimumPerThread: 32) { groups in
            Lanes.withScratch { d, tmp, out in
                for group in groups {
                    let first = group * 8, lanes = min(8, pairs - first)
                    for xi in 0..<16 { d[xi] = Lanes.load(du + xi * pairs + first, lanes: lanes) }
                    Lanes.twoSided(d, n: 4, m: 3, tmp: tmp, out: out, Lanes.gTransposed)
                    for lane in 0..<lanes {
                        let p = dw + (first + lane) * 9
                        for e in 0..<9 { p[e] += out[e][lane] }
                    }
                }
            }
        }
    }

    /// Padded planes: the input at (padTop, padLeft) inside a (2·tilesH + 2) × (2·tilesW + 2) frame
    /// of zeros, where tile (th, tw) starts at (2th, 2tw); the output in a 2·tilesH × 2·tilesW frame.
    private var inputFrame: (height: Int, width: Int) { (2 * tilesH + 2, 2 * tilesW + 2) }
    private var outputFrame: (height: Int, width: Int) { (2 * tilesH, 2 * tilesW) }

    /// V = Bᵀ d B for every tile of every plane of `images` images starting at x.
    private func transformInput(_ x: UnsafePointer<Float>, images: Int, into v: UnsafeMutablePointer<Float>) {
        let g = geometry, c = g.channels, t = images * tilesPerImage, planeStride = c * t, frame = inputFrame
        let tilesW = tilesW
        ThreadSplit.forEachRange(images * c, minimumPerThread: 2) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: frame.height * frame.width) { buffer in
                let padded = buffer.baseAddress!
                Lanes.withScratch { d, tmp, out in
                    for item in range {
                        let (image, channel) = item.quotientAndRemainder(dividingBy: c)
                        padded.update(repeating: 0, count: frame.height * frame.width)
                        let plane = x + item * g.inPlane
                        for h in 0..<g.height {
                            (padded + (h + g.padTop) * frame.width + g.padLeft).update(from: plane + h * g.width, count: g.width)
                        }
                        var first = 0
                        while first < tilesPerImage {
                            let lanes = min(8, tilesPerImage - first)
                            let offsets = Lanes.tileCorners(first: first, lanes: lanes, tilesW: tilesW, rowStride: frame.width)
                            for i in 0..<4 {
                                for j in 0..<4 { d[4 * i + j] = Lanes.gather(padded + i * frame.width + j, offsets) }
                            }
                            Lanes.twoSided(d, n: 4, m: 4, tmp: tmp, out: out, Lanes.bTransposed)
                            let column = v + channel * t + image * tilesPerImage + first
                            for xi in 0..<16 { Lanes.store(out[xi], to: column + xi * planeStride, lanes: lanes) }
                            first += lanes
                        }
                    }
                }
            }
        }
    }

    /// dx += Σ B dV Bᵀ over the tiles covering each pixel (the adjoint of `transformInput`).
    private func transformInputAdjoint(_ dv: UnsafePointer<Float>, images: Int, into dx: UnsafeMutablePointer<Float>) {
        let g = geometry, c = g.channels, t = images * tilesPerImage, planeStride = c * t, frame = inputFrame
        let tilesW = tilesW
        ThreadSplit.forEachRange(images * c, minimumPerThread: 2) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: frame.height * frame.width) { buffer in
                let padded = buffer.baseAddress!
                Lanes.withScratch { d, tmp, out in
                    for item in range {
                        let (image, channel) = item.quotientAndRemainder(dividingBy: c)
                        padded.update(repeating: 0, count: frame.height * frame.width)
                        var first = 0
                        while first < tilesPerImage {
                            let lanes = min(8, tilesPerImage - first)
                            let column = dv + channel * t + image * tilesPerImage + first
                            for xi in 0..<16 { d[xi] = Lanes.load(column + xi * planeStride, lanes: lanes) }
                            Lanes.twoSided(d, n: 4, m: 4, tmp: tmp, out: out, Lanes.b)
                            let offsets = Lanes.tileCorners(first: first, lanes: lanes, tilesW: tilesW, rowStride: frame.width)
                            for lane in 0..<lanes {
                                let corner = padded + offsets[lane]
                                for i in 0..<4 {
                                    for j in 0..<4 { corner[i * frame.width + j] += out[4 * i + j][lane] }
                                }
                            }
                            first += lanes
                        }
                        let plane = dx + item * g.inPlane
                        for h in 0..<g.height {
                            let source = padded + (h + g.padTop) * frame.width + g.padLeft, target = plane + h * g.width
                            for w in 0..<g.width { target[w] += source[w] }
                        }
                    }
                }
            }
        }
    }

    /// y = Aᵀ M A for every tile, keeping the outputs inside P×Q.
    private func transformOutput(_ m: UnsafePointer<Float>, images: Int, into y: UnsafeMutablePointer<Float>) {
        let g = geometry, k = filters, t = images * tilesPerImage, planeStride = k * t, frame = outputFrame
        let tilesW = tilesW
        ThreadSplit.forEachRange(images * k, minimumPerThread: 2) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: frame.height * frame.width) { buffer in
                let padded = buffer.baseAddress!
                Lanes.withScratch { d, tmp, out in
                    for item in range {
                        let (image, filter) = item.quotientAndRemainder(dividingBy: k)
                        var first = 0
                        while first < tilesPerImage {
                            let lanes = min(8, tilesPerImage - first)
                            let column = m + filter * t + image * tilesPerImage + first
                            for xi in 0..<16 { d[xi] = Lanes.load(column + xi * planeStride, lanes: lanes) }
                            Lanes.twoSided(d, n: 4, m: 2, tmp: tmp, out: out, Lanes.aTransposed)
                            let offsets = Lanes.tileCorners(first: first, lanes: lanes, tilesW: tilesW, rowStride: frame.width)
                            for lane in 0..<lanes {
                                let corner = padded + offsets[lane]
                                corner[0] = out[0][lane]; corner[1] = out[1][lane]
                                corner[frame.width] = out[2][lane]; corner[frame.width + 1] = out[3][lane]
                            }
                            first += lanes
                        }
                        let plane = y + item * g.outPlane
                        for p in 0..<g.outH { (plane + p * g.outW).update(from: padded + p * frame.width, count: g.outW) }
                    }
                }
            }
        }
    }

    /// M̃ = A dy Aᵀ for every tile, outputs outside P×Q counting as zero (the adjoint of `transformOutput`).
    private func transformOutputAdjoint(_ dy: UnsafePointer<Float>, images: Int, into m: UnsafeMutablePointer<Float>) {
        let g = geometry, k = filters, t = images * tilesPerImage, planeStride = k * t, frame = outputFrame
        let tilesW = tilesW
        ThreadSplit.forEachRange(images * k, minimumPerThread: 2) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: frame.height * frame.width) { buffer in
                let padded = buffer.baseAddress!
                Lanes.withScratch { d, tmp, out in
                    for item in range {
                        let (image, filter) = item.quotientAndRemainder(dividingBy: k)
                        padded.update(repeating: 0, count: frame.height * frame.width)
                        let plane = dy + item * g.outPlane
                        for p in 0..<g.outH { (padded + p * frame.width).update(from: plane + p * g.outW, count: g.outW) }
                        var first = 0
                        while first < tilesPerImage {
                            let lanes = min(8, tilesPerImage - first)
                            let offsets = Lanes.tileCorners(first: first, lanes: lanes, tilesW: tilesW, rowStride: frame.width)
                            for i in 0..<2 {
                                for j in 0..<2 { d[2 * i + j] = Lanes.gather(padded + i * frame.width + j, offsets) }
                            }
                            Lanes.twoSided(d, n: 2, m: 4, tmp: tmp, out: out, Lanes.a)
                            let column = m + filter * t + image * tilesPerImage + first
                            for xi in 0..<16 { Lanes.store(out[xi], to: column + xi * planeStride, lanes: lanes) }
                            first += lanes
                        }
                    }
                }
            }
        }
    }
}

/// Eight tiles' worth of one transform element, and the F(2×2, 3×3) transform matrices as
/// functions from n inputs to m outputs (read and written at a stride), applied to both sides.
enum Lanes {
    typealias Vector = SIMD8<Float>
    typealias Transform = (_ input: UnsafePointer<Vector>, _ inputStride: Int, _ output: UnsafeMutablePointer<Vector>, _ outputStride: Int) -> Void

    /// Three 16-vector scratch blocks (input, intermediate, output) on the stack.
    @inline(__always)
    static func withScratch<R>(_ body: (UnsafeMutablePointer<Vector>, UnsafeMutablePointer<Vector>, UnsafeMutablePointer<Vector>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Vector.self, capacity: 48) { block in
            let base = block.baseAddress!
            base.initialize(repeating: .zero, count: 48)
            return body(base, base + 16, base + 32)
        }
    }

    /// F · x · Fᵀ for an n×n block x (row-major), giving an m×m block, where `f` maps n → m.
    @inline(__always)
    static func twoSided(_ x: UnsafePointer<Vector>, n: Int, m: Int, tmp: UnsafeMutablePointer<Vector>, out: UnsafeMutablePointer<Vector>,
                         _ f: Transform) {
        for j in 0..<n { f(x + j, n, tmp + j, n) }          // columns: tmp is m×n
        for i in 0..<m { f(tmp + i * n, 1, out + i * m, 1) }  // rows: out is m×m
    }

    /// first, first + 1, …, first + 7, with lanes past `lanes` repeating the last valid one (so
    /// every gather stays in bounds; those lanes are never stored).
    @inline(__always)
    static func clamped(first: Int, lanes: Int) -> SIMD8<Int> {
        first &+ SIMD8<Int>(0, 1, 2, 3, 4, 5, 6, 7).replacing(with: lanes - 1, where: SIMD8(0, 1, 2, 3, 4, 5, 6, 7) .>= lanes)
    }

    /// Offsets of the top-left corners of tiles first ..< first + 8 in a frame with `rowStride`.
    @inline(__always)
    static func tileCorners(first: Int, lanes: Int, tilesW: Int, rowStride: Int) -> SIMD8<Int> {
        var corners = SIMD8<Int>.zero
        for lane in 0..<8 {
            let (th, tw) = (first + min(lane, lanes - 1)).quotientAndRemainder(dividingBy: tilesW)
            corners[lane] = 2 * th * rowStride + 2 * tw
        }
        return corners
    }

    @inline(__always)
    static func gather(_ base: UnsafePointer<Float>, _ o: SIMD8<Int>) -> Vector {
        Vector(base[o[0]], base[o[1]], base[o[2]], base[o[3]], base[o[4]], base[o[5]], base[o[6]], base[o[7]])
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, lanes: Int) -> Vector {
        lanes == 8 ? UnsafeRawPointer(p).loadUnaligned(as: Vector.self) : gather(p, clamped(first: 0, lanes: lanes))
    }

    @inline(__always)
    static func store(_ v: Vector, to p: UnsafeMutablePointer<Float>, lanes: Int) {
        if lanes == 8 { return UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self) }
        for lane in 0..<lanes { p[lane] = v[lane] }
    }

    static func bTransposed(_ x: UnsafePointer<Vector>, _ s: Int, _ y: UnsafeMutablePointer<Vector>, _ t: Int) {
        let (d0, d1, d2, d3) = (x[0], x[s], x[2 * s], x[3 * s])
        y[0] = d0 - d2; y[t] = d1 + d2; y[2 * t] = d2 - d1; y[3 * t] = d1 - d3
    }

    static func b(_ x: UnsafePointer<Vector>, _ s: Int, _ y: UnsafeMutablePointer<Vector>, _ t: Int) {
        let (d0, d1, d2, d3) = (x[0], x[s], x[2 * s], x[3 * s])
        y[0] = d0; y[t] = d1 - d2 + d3; y[2 * t] = d1 + d2 - d0; y[3 * t] = -d3
    }

    static func g(_ x: UnsafePointer<Vector>, _ s: Int, _ y: UnsafeMutablePointer<Vector>, _ t: Int) {
        let (w0, w1, w2) = (x[0], x[s], x[2 * s])
        y[0] = w0; y[t] = 0.5 * (w0 + w1 + w2); y[2 * t] = 0.5 * (w0 - w1 + w2); y[3 * t] = w2
    }

    static func gTransposed(_ x: UnsafePointer<Vector>, _ s: Int, _ y: UnsafeMutablePointer<Vector>, _ t: Int) {
        let (d0, d1, d2, d3) = (x[0], x[s], x[2 * s], x[3 * s])
        y[0] = d0 + 0.5 * (d1 + d2); y[t] = 0.5 * (d1 - d2); y[2 * t] = 0.5 * (d1 + d2) + d3
    }

    static func aTransposed(_ x: UnsafePointer<Vector>, _ s: Int, _ y: UnsafeMutablePointer<Vector>, _ t: Int) {
        let (m0, m1, m2, m3) = (x[0], x[s], x[2 * s], x[3 * s])
        y[0] = m0 + m1 + m2; y[t] = m1 - m2 - m3
    }

    static func a(_ x: UnsafePointer<Vector>, _ s: Int, _ y: UnsafeMutablePointer<Vector>, _ t: Int) {
        let (y0, y1) = (x[0], x[s])
        y[0] = y0; y[t] = y0 + y1; y[2 * t] = y0 - y1; y[3 * t] = -y1
    }
}
