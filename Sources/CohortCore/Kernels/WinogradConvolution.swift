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

    /// Adds the weight gradient of the last `forward` to `weightGradient` [K, C, 3, 3] and, when
    /// `inputGradient` is given, adds the input gradient to it [N, C, H, W].
    public func backward(x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, batch: Int,
                         weightGradient: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?) {
        let (c, k) = (geometry.channels, filters)
        // U of the last forward: the weights do not change between a forward and its backward.
        precondition(transformedWeights.count == 16 * k * c, "Winograd backward before forward")
        let u = UnsafePointer(transformedWeights.values.baseAddress!)
        transformedWeightGradient.resize(to: [16 * k * c + 8])   // read eight floats wide
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
        // Eight floats of slack: a group of tiles at the very end is read eight floats wide.
        transformedInput.resize(to: [16 * geometry.channels * t + 8])
        transformedOutput.resize(to: [16 * filters * t + 8])
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
                    Lanes.twoSided(d, n: 3, m: 4, tmp: tmp, out: out, Lanes.G.self)
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
                    Lanes.twoSided(d, n: 4, m: 3, tmp: tmp, out: out, Lanes.GTransposed.self)
                    for lane in 0..<lanes {
                        let p = dw + (first + lane) * 9
                        for e in 0..<9 { p[e] += out[e][lane] }
                    }
                }
            }
        }
    }

    /// A padded plane split by column parity: row r keeps its even columns at
    /// `r · rowStride + c / 2` and its odd columns at `r · rowStride + half + c / 2`, so a vector of
    /// eight consecutive tiles of a tile row (which start 2 columns apart) reads and writes
    /// contiguous floats. The input sits at (padTop, padLeft) in a frame of zeros; tile (th, tw)
    /// starts at row 2th, column 2tw.
    struct Frame {
        let rows: Int, half: Int
        var rowStride: Int { 2 * half }
        var count: Int { rows * rowStride }
        /// The index of (row, column).
        @inline(__always) func index(_ row: Int, _ column: Int) -> Int { row * rowStride + (column & 1) * half + (column >> 1) }

        /// Zeroes `frame` and copies the height×width `plane` into it at (top, left).
        func load(_ plane: UnsafePointer<Float>, height: Int, width: Int, top: Int, left: Int, into frame: UnsafeMutablePointer<Float>) {
            frame.update(repeating: 0, count: count)
            for h in 0..<height {
                let source = plane + h * width
                for w in 0..<width { frame[index(h + top, w + left)] = source[w] }
            }
        }
    }

    /// Input frames hold columns up to 2·tw + 3 of the last group of eight tiles.
    private var inputFrame: Frame { Frame(rows: 2 * tilesH + 2, half: (tilesW + 7) / 8 * 8 + 2) }
    private var outputFrame: Frame { Frame(rows: 2 * tilesH, half: (tilesW + 7) / 8 * 8) }

    /// Calls `body(image, plane, frame)` for every (image, plane) of `images` images with `planes`
    /// planes each, on the rank's threads, with a per-thread frame and transform scratch.
    private func forEachPlane(images: Int, planes: Int, frameSize: Int,
                              _ body: (_ image: Int, _ plane: Int, _ item: Int, _ frame: UnsafeMutablePointer<Float>,
                                       _ scratch: (UnsafeMutablePointer<Lanes.Vector>, UnsafeMutablePointer<Lanes.Vector>, UnsafeMutablePointer<Lanes.Vector>)) -> Void) {
        ThreadSplit.forEachRange(images * planes, minimumPerThread: 2) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: frameSize) { buffer in
                Lanes.withScratch { d, tmp, out in
                    for item in range {
                        let (image, plane) = item.quotientAndRemainder(dividingBy: planes)
                        body(image, plane, item, buffer.baseAddress!, (d, tmp, out))
                    }
                }
            }
        }
    }

    /// Calls `body(th, tw, lanes)` for every group of up to eight tiles (th, tw ..< tw + lanes) of a tile row.
    @inline(__always)
    private func forEachTileGroup(_ body: (_ th: Int, _ tw: Int, _ lanes: Int) -> Void) {
        for th in 0..<tilesH {
            var tw = 0
            while tw < tilesW {
                body(th, tw, min(8, tilesW - tw))
                tw += 8
            }
        }
    }

    /// Stores a group's 16 transformed vectors at `column + ξ · stride`. All eight lanes are stored
    /// while they stay inside the plane's tiles, since the extra ones land on later tiles of the
    /// same plane, which overwrite them (same thread, in order); otherwise only the valid ones.
    @inline(__always)
    private func storeGroup(_ out: UnsafeMutablePointer<Lanes.Vector>, to column: UnsafeMutablePointer<Float>, stride: Int,
                            th: Int, tw: Int, lanes: Int) {
        let width = th * tilesW + tw + 8 <= tilesPerImage ? 8 : lanes
        for xi in 0..<16 { Lanes.store(out[xi], to: column + xi * stride, lanes: width) }
    }

    /// V = Bᵀ d B for every tile of every plane of `images` images starting at x.
    private func transformInput(_ x: UnsafePointer<Float>, images: Int, into v: UnsafeMutablePointer<Float>) {
        let g = geometry, c = g.channels, t = images * tilesPerImage, planeStride = c * t, frame = inputFrame
        forEachPlane(images: images, planes: c, frameSize: frame.count) { image, channel, item, padded, scratch in
            let (d, tmp, out) = scratch
            frame.load(x + item * g.inPlane, height: g.height, width: g.width, top: g.padTop, left: g.padLeft, into: padded)
            forEachTileGroup { th, tw, lanes in
                for i in 0..<4 {
                    let even = UnsafePointer(padded + (2 * th + i) * frame.rowStride + tw), odd = even + frame.half
                    d[4 * i] = Lanes.load(even); d[4 * i + 1] = Lanes.load(odd)
                    d[4 * i + 2] = Lanes.load(even + 1); d[4 * i + 3] = Lanes.load(odd + 1)
                }
                Lanes.twoSided(d, n: 4, m: 4, tmp: tmp, out: out, Lanes.BTransposed.self)
                storeGroup(out, to: v + channel * t + image * tilesPerImage + th * tilesW + tw, stride: planeStride, th: th, tw: tw, lanes: lanes)
            }
        }
    }

    /// dx += Σ B dV Bᵀ over the tiles covering each pixel (the adjoint of `transformInput`).
    private func transformInputAdjoint(_ dv: UnsafePointer<Float>, images: Int, into dx: UnsafeMutablePointer<Float>) {
        let g = geometry, c = g.channels, t = images * tilesPerImage, planeStride = c * t, frame = inputFrame
        forEachPlane(images: images, planes: c, frameSize: frame.count) { image, channel, item, padded, scratch in
            let (d, tmp, out) = scratch
            padded.update(repeating: 0, count: frame.count)
            forEachTileGroup { th, tw, lanes in
                let column = dv + channel * t + image * tilesPerImage + th * tilesW + tw
                for xi in 0..<16 { d[xi] = Lanes.load(column + xi * planeStride, lanes: lanes) }   // zero past `lanes`
                Lanes.twoSided(d, n: 4, m: 4, tmp: tmp, out: out, Lanes.B.self)
                for i in 0..<4 {
                    let even = padded + (2 * th + i) * frame.rowStride + tw, odd = even + frame.half
                    Lanes.add(out[4 * i], to: even); Lanes.add(out[4 * i + 1], to: odd)
                    Lanes.add(out[4 * i + 2], to: even + 1); Lanes.add(out[4 * i + 3], to: odd + 1)
                }
            }
            let plane = dx + item * g.inPlane
            for h in 0..<g.height {
                let target = plane + h * g.width
                for w in 0..<g.width { target[w] += padded[frame.index(h + g.padTop, w + g.padLeft)] }
            }
        }
    }

    /// y = Aᵀ M A for every tile, keeping the outputs inside P×Q.
    private func transformOutput(_ m: UnsafePointer<Float>, images: Int, into y: UnsafeMutablePointer<Float>) {
        let g = geometry, k = filters, t = images * tilesPerImage, planeStride = k * t, frame = outputFrame
        forEachPlane(images: images, planes: k, frameSize: frame.count) { image, filter, item, padded, scratch in
            let (d, tmp, out) = scratch
            forEachTileGroup { th, tw, lanes in
                let column = m + filter * t + image * tilesPerImage + th * tilesW + tw
                for xi in 0..<16 { d[xi] = Lanes.load(column + xi * planeStride, lanes: lanes) }
                Lanes.twoSided(d, n: 4, m: 2, tmp: tmp, out: out, Lanes.ATransposed.self)
                for i in 0..<2 {
                    let even = padded + (2 * th + i) * frame.rowStride + tw
                    Lanes.store(out[2 * i], to: even); Lanes.store(out[2 * i + 1], to: even + frame.half)
                }
            }
            let plane = y + item * g.outPlane
            for p in 0..<g.outH {
                let target = plane + p * g.outW
                for q in 0..<g.outW { target[q] = padded[frame.index(p, q)] }
            }
        }
    }

    /// M̃ = A dy Aᵀ for every tile, outputs outside P×Q counting as zero (the adjoint of `transformOutput`).
    private func transformOutputAdjoint(_ dy: UnsafePointer<Float>, images: Int, into m: UnsafeMutablePointer<Float>) {
        let g = geometry, k = filters, t = images * tilesPerImage, planeStride = k * t, frame = outputFrame
        forEachPlane(images: images, planes: k, frameSize: frame.count) { image, filter, item, padded, scratch in
            let (d, tmp, out) = scratch
            frame.load(dy + item * g.outPlane, height: g.outH, width: g.outW, top: 0, left: 0, into: padded)
            forEachTileGroup { th, tw, lanes in
                for i in 0..<2 {
                    let even = UnsafePointer(padded + (2 * th + i) * frame.rowStride + tw)
                    d[2 * i] = Lanes.load(even); d[2 * i + 1] = Lanes.load(even + frame.half)
                }
                Lanes.twoSided(d, n: 2, m: 4, tmp: tmp, out: out, Lanes.A.self)
                storeGroup(out, to: m + filter * t + image * tilesPerImage + th * tilesW + tw, stride: planeStride, th: th, tw: tw, lanes: lanes)
            }
        }
    }
}

/// Eight tiles' worth of one transform element, and the F(2×2, 3×3) transform matrices as
/// functions from n inputs to m outputs (read and written at a stride), applied to both sides.
enum Lanes {
    typealias Vector = SIMD8<Float>

    /// A transform matrix F as left multiplication: reads n inputs at `inputStride`, writes m
    /// outputs at `outputStride` (a type, so every use is specialised and inlined).
    protocol Transform {
        static func apply(_ input: UnsafePointer<Vector>, _ inputStride: Int, _ output: UnsafeMutablePointer<Vector>, _ outputStride: Int)
    }

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
    static func twoSided<F: Transform>(_ x: UnsafePointer<Vector>, n: Int, m: Int, tmp: UnsafeMutablePointer<Vector>,
                                       out: UnsafeMutablePointer<Vector>, _ f: F.Type) {
        for j in 0..<n { F.apply(x + j, n, tmp + j, n) }          // columns: tmp is m×n
        for i in 0..<m { F.apply(tmp + i * n, 1, out + i * m, 1) }  // rows: out is m×m
    }

    /// first, first + 1, …, first + 7, with lanes past `lanes` repeating the last valid one (so
    /// every gather stays in bounds; those lanes are never stored).
    @inline(__always)
    static func clamped(first: Int, lanes: Int) -> SIMD8<Int> {
        first &+ SIMD8<Int>(0, 1, 2, 3, 4, 5, 6, 7).replacing(with: lanes - 1, where: SIMD8(0, 1, 2, 3, 4, 5, 6, 7) .>= lanes)
    }

    @inline(__always)
    static func gather(_ base: UnsafePointer<Float>, _ o: SIMD8<Int>) -> Vector {
        Vector(base[o[0]], base[o[1]], base[o[2]], base[o[3]], base[o[4]], base[o[5]], base[o[6]], base[o[7]])
    }

    /// Eight floats from p (all eight must be readable), zero past `lanes`.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, lanes: Int) -> Vector {
        let v = load(p)
        // Vector-against-vector comparison: against a scalar, Swift builds the mask element by element.
        let valid = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) .< SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: lanes))
        return lanes == 8 ? v : v.replacing(with: 0, where: .!valid)
    }

    /// Eight floats from p.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }

    /// Eight floats to p.
    @inline(__always)
    static func store(_ v: Vector, to p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self) }

    /// Adds v to the eight floats at p.
    @inline(__always)
    static func add(_ v: Vector, to p: UnsafeMutablePointer<Float>) { store(load(p) + v, to: p) }

    @inline(__always)
    static func store(_ v: Vector, to p: UnsafeMutablePointer<Float>, lanes: Int) {
        if lanes == 8 { return UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self) }
        for lane in 0..<lanes { p[lane] = v[lane] }
    }

    enum BTransposed: Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Vector>, _ s: Int, _ y: UnsafeMutablePointer<Vector>, _ t: Int) {
            let (d0, d1, d2, d3) = (x[0], x[s], x[2 * s], x[3 * s])
            y[0] = d0 - d2; y[t] = d1 + d2; y[2 * t] = d2 - d1; y[3 * t] = d1 - d3
        }
    }

    enum B: Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Vector>, _ s: Int, _ y: UnsafeMutablePointer<Vector>, _ t: Int) {
            let (d0, d1, d2, d3) = (x[0], x[s], x[2 * s], x[3 * s])
            y[0] = d0; y[t] = d1 - d2 + d3; y[2 * t] = d1 + d2 - d0; y[3 * t] = -d3
        }
    }

    enum G: Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Vector>, _ s: Int, _ y: UnsafeMutablePointer<Vector>, _ t: Int) {
            let (w0, w1, w2) = (x[0], x[s], x[2 * s])
            y[0] = w0; y[t] = 0.5 * (w0 + w1 + w2); y[2 * t] = 0.5 * (w0 - w1 + w2); y[3 * t] = w2
        }
    }

    enum GTransposed: Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Vector>, _ s: Int, _ y: UnsafeMutablePointer<Vector>, _ t: Int) {
            let (d0, d1, d2, d3) = (x[0], x[s], x[2 * s], x[3 * s])
            y[0] = d0 + 0.5 * (d1 + d2); y[t] = 0.5 * (d1 - d2); y[2 * t] = 0.5 * (d1 + d2) + d3
        }
    }

    enum ATransposed: Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Vector>, _ s: Int, _ y: UnsafeMutablePointer<Vector>, _ t: Int) {
            let (m0, m1, m2, m3) = (x[0], x[s], x[2 * s], x[3 * s])
            y[0] = m0 + m1 + m2; y[t] = m1 - m2 - m3
        }
    }

    enum A: Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Vector>, _ s: Int, _ y: UnsafeMutablePointer<Vector>, _ t: Int) {
            let (y0, y1) = (x[0], x[s])
            y[0] = y0; y[t] = y0 + y1; y[2 * t] = y0 - y1; y[3 * t] = -y1
        }
    }
}
