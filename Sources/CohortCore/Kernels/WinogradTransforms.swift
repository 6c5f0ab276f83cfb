/// The Winograd tilings F(m×m, r×r) and their transform matrices (Lavin & Gray 2016): m×m output
/// tiles from α×α input tiles, α = m + r − 1, with α² multiplications per tile instead of r²m².
/// `F2x2` uses the points 0, ±1 (exact in float32 up to rounding of sums); `F4x4` and `F2x2Kernel5`
/// the points 0, ±1, ±2 (4× and 2.8× fewer multiplications than direct, at a few ulps more rounding).
protocol WinogradTiling {
    /// Output tile size m.
    static var outputTile: Int { get }
    /// Kernel size r.
    static var kernelSize: Int { get }
    /// Bᵀ (α → α): V = Bᵀ d B.
    associatedtype InputTransform: Lanes.Transform
    /// B (α → α), the adjoint of the input transform.
    associatedtype InputAdjoint: Lanes.Transform
    /// G (r → α): U = G w Gᵀ.
    associatedtype WeightTransform: Lanes.Transform
    /// Gᵀ (α → r), the adjoint of the weight transform.
    associatedtype WeightAdjoint: Lanes.Transform
    /// Aᵀ (α → m): y = Aᵀ M A.
    associatedtype OutputTransform: Lanes.Transform
    /// A (m → α), the adjoint of the output transform.
    associatedtype OutputAdjoint: Lanes.Transform
}

extension WinogradTiling {
    /// Input tile size α = m + r − 1.
    @inline(__always) static var inputTile: Int { outputTile + kernelSize - 1 }
    /// α²: the transformed positions, one GEMM each.
    @inline(__always) static var positions: Int { inputTile * inputTile }
}

/// F(2×2, 3×3): 16 multiplications per 2×2 tile.
enum F2x2: WinogradTiling {
    static var outputTile: Int { 2 }
    static var kernelSize: Int { 3 }

    enum InputTransform: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (d0, d1, d2, d3) = (x[0], x[s], x[2 * s], x[3 * s])
            y[0] = d0 - d2; y[t] = d1 + d2; y[2 * t] = d2 - d1; y[3 * t] = d1 - d3
        }
    }

    enum InputAdjoint: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (d0, d1, d2, d3) = (x[0], x[s], x[2 * s], x[3 * s])
            y[0] = d0; y[t] = d1 - d2 + d3; y[2 * t] = d1 + d2 - d0; y[3 * t] = -d3
        }
    }

    enum WeightTransform: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (w0, w1, w2) = (x[0], x[s], x[2 * s])
            y[0] = w0; y[t] = 0.5 * (w0 + w1 + w2); y[2 * t] = 0.5 * (w0 - w1 + w2); y[3 * t] = w2
        }
    }

    enum WeightAdjoint: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (d0, d1, d2, d3) = (x[0], x[s], x[2 * s], x[3 * s])
            y[0] = d0 + 0.5 * (d1 + d2); y[t] = 0.5 * (d1 - d2); y[2 * t] = 0.5 * (d1 + d2) + d3
        }
    }

    enum OutputTransform: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (m0, m1, m2, m3) = (x[0], x[s], x[2 * s], x[3 * s])
            y[0] = m0 + m1 + m2; y[t] = m1 - m2 - m3
        }
    }

    enum OutputAdjoint: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (y0, y1) = (x[0], x[s])
            y[0] = y0; y[t] = y0 + y1; y[2 * t] = y0 - y1; y[3 * t] = -y1
        }
    }
}

/// F(4×4, 3×3): 36 multiplications per 4×4 tile. The matrices, with points 0, 1, −1, 2, −2, ∞:
/// Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1],
/// G = [1/4 0 0; −1/6 −1/6 −1/6; −1/6 1/6 −1/6; 1/24 1/12 1/6; 1/24 −1/12 1/6; 0 0 1],
/// Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1].
enum F4x4: WinogradTiling {
    static var outputTile: Int { 4 }
    static var kernelSize: Int { 3 }

    enum InputTransform: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (d0, d1, d2, d3, d4, d5) = (x[0], x[s], x[2 * s], x[3 * s], x[4 * s], x[5 * s])
            let a = d4 - 4 * d2, b = d3 - 4 * d1   // rows 1, 2: a ± b
            let c = d4 - d2, e = 2 * (d3 - d1)     // rows 3, 4: c ± e
            y[0] = 4 * d0 - 5 * d2 + d4
            y[t] = a + b; y[2 * t] = a - b
            y[3 * t] = c + e; y[4 * t] = c - e
            y[5 * t] = 4 * d1 - 5 * d3 + d5
        }
    }

    enum InputAdjoint: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (v0, v1, v2, v3, v4, v5) = (x[0], x[s], x[2 * s], x[3 * s], x[4 * s], x[5 * s])
            y[0] = 4 * v0
            y[t] = 4 * (v2 - v1 + v5) + 2 * (v4 - v3)
            y[2 * t] = -5 * v0 - 4 * (v1 + v2) - v3 - v4
            y[3 * t] = v1 - v2 + 2 * (v3 - v4) - 5 * v5
            y[4 * t] = v0 + v1 + v2 + v3 + v4
            y[5 * t] = v5
        }
    }

    enum WeightTransform: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (w0, w1, w2) = (x[0], x[s], x[2 * s])
            let outer = w0 + w2, low = w0 / 24 + w2 / 6
            y[0] = w0 / 4
            y[t] = -(outer + w1) / 6; y[2 * t] = (w1 - outer) / 6
            y[3 * t] = low + w1 / 12; y[4 * t] = low - w1 / 12
            y[5 * t] = w2
        }
    }

    enum WeightAdjoint: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (u0, u1, u2, u3, u4, u5) = (x[0], x[s], x[2 * s], x[3 * s], x[4 * s], x[5 * s])
            let sum12 = u1 + u2, sum34 = u3 + u4
            y[0] = u0 / 4 - sum12 / 6 + sum34 / 24
            y[t] = (u2 - u1) / 6 + (u3 - u4) / 12
            y[2 * t] = (sum34 - sum12) / 6 + u5
        }
    }

    enum OutputTransform: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (m0, m1, m2, m3, m4, m5) = (x[0], x[s], x[2 * s], x[3 * s], x[4 * s], x[5 * s])
            let sum12 = m1 + m2, difference12 = m1 - m2, sum34 = m3 + m4, difference34 = m3 - m4
            y[0] = m0 + sum12 + sum34
            y[t] = difference12 + 2 * difference34
            y[2 * t] = sum12 + 4 * sum34
            y[3 * t] = difference12 + 8 * difference34 + m5
        }
    }

    enum OutputAdjoint: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (y0, y1, y2, y3) = (x[0], x[s], x[2 * s], x[3 * s])
            let even = y0 + y2, odd = y1 + y3, evenWide = y0 + 4 * y2, oddWide = 2 * y1 + 8 * y3
            y[0] = y0
            y[t] = even + odd; y[2 * t] = even - odd
            y[3 * t] = evenWide + oddWide; y[4 * t] = evenWide - oddWide
            y[5 * t] = y3
        }
    }
}

/// Eight tiles' worth of one transform element, and the helpers that apply a transform matrix to
/// both sides of a block and move eight floats at a time.
enum Lanes {
    typealias Vector = SIMD8<Float>

    /// A transform matrix F as left multiplication: reads n inputs at `inputStride`, writes m
    /// outputs at `outputStride` (a type, so every use is specialised and inlined).
    protocol Transform {
        static func apply(_ input: UnsafePointer<Vector>, _ inputStride: Int, _ output: UnsafeMutablePointer<Vector>, _ outputStride: Int)
    }

    /// Three `size`-vector scratch blocks (input, intermediate, output) on the stack.
    @inline(__always)
    static func withScratch<R>(size: Int, _ body: (UnsafeMutablePointer<Vector>, UnsafeMutablePointer<Vector>, UnsafeMutablePointer<Vector>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Vector.self, capacity: 3 * size) { block in
            let base = block.baseAddress!
            base.initialize(repeating: .zero, count: 3 * size)
            return body(base, base + size, base + 2 * size)
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

    /// The eight floats p[0], p[2], …, p[14] (only those are read).
    @inline(__always)
    static func loadEveryOther(_ p: UnsafePointer<Float>) -> Vector { Vector(lowHalf: load(p).evenHalf, highHalf: load(p + 7).oddHalf) }

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
}

/// F(2×2, 5×5): 36 multiplications per 2×2 tile. The same points and 6×6 input tile as `F4x4`,
/// so the same Bᵀ; with them
/// G = [1/4 0 0 0 0; −1/6 −1/6 −1/6 −1/6 −1/6; −1/6 1/6 −1/6 1/6 −1/6; 1/24 1/12 1/6 1/3 2/3;
/// 1/24 −1/12 1/6 −1/3 2/3; 0 0 0 0 1], Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 1].
enum F2x2Kernel5: WinogradTiling {
    static var outputTile: Int { 2 }
    static var kernelSize: Int { 5 }
    typealias InputTransform = F4x4.InputTransform
    typealias InputAdjoint = F4x4.InputAdjoint

    enum WeightTransform: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (w0, w1, w2, w3, w4) = (x[0], x[s], x[2 * s], x[3 * s], x[4 * s])
            let even = w0 + w2 + w4, odd = w1 + w3
            let evenWide = w0 + 4 * w2 + 16 * w4, oddWide = 2 * w1 + 8 * w3
            y[0] = w0 / 4
            y[t] = -(even + odd) / 6; y[2 * t] = (odd - even) / 6
            y[3 * t] = (evenWide + oddWide) / 24; y[4 * t] = (evenWide - oddWide) / 24
            y[5 * t] = w4
        }
    }

    enum WeightAdjoint: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (u0, u1, u2, u3, u4, u5) = (x[0], x[s], x[2 * s], x[3 * s], x[4 * s], x[5 * s])
            let sum12 = u1 + u2, difference21 = u2 - u1, sum34 = u3 + u4, difference34 = u3 - u4
            y[0] = u0 / 4 - sum12 / 6 + sum34 / 24
            y[t] = difference21 / 6 + difference34 / 12
            y[2 * t] = (sum34 - sum12) / 6
            y[3 * t] = difference21 / 6 + difference34 / 3
            y[4 * t] = 2 * sum34 / 3 - sum12 / 6 + u5
        }
    }

    enum OutputTransform: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (m0, m1, m2, m3, m4, m5) = (x[0], x[s], x[2 * s], x[3 * s], x[4 * s], x[5 * s])
            y[0] = m0 + m1 + m2 + m3 + m4
            y[t] = m1 - m2 + 2 * (m3 - m4) + m5
        }
    }

    enum OutputAdjoint: Lanes.Transform {
        @inline(__always) static func apply(_ x: UnsafePointer<Lanes.Vector>, _ s: Int, _ y: UnsafeMutablePointer<Lanes.Vector>, _ t: Int) {
            let (y0, y1) = (x[0], x[s])
            y[0] = y0
            y[t] = y0 + y1; y[2 * t] = y0 - y1
            y[3 * t] = y0 + 2 * y1; y[4 * t] = y0 - 2 * y1
            y[5 * t] = y1
        }
    }
}
