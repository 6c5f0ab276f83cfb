/// Vectorised Double sums of float runs (BatchNorm's statistics and gradient sums, bias gradients).
///
/// A running sum carried in one register is a chain of dependent additions, one element per add
/// latency (4 cycles in Double): BatchNorm's passes ran at a fraction of memory speed. Here every
/// element is widened to Double, as before, but summed in eight independent lanes that are added
/// up at the end, so the additions pipeline and vectorise. The result depends only on the run
/// itself, never on the thread or rank that sums it.
package enum LaneSums {
    typealias Wide = SIMD8<Double>

    /// Σ x[t] and Σ x[t]² for t < count.
    @inline(__always)
    package static func sumAndSquares(_ x: UnsafePointer<Float>, count: Int) -> (sum: Double, squares: Double) {
        var s = Wide.zero, q = Wide.zero, t = 0
        while t &+ 8 <= count {
            let v = load(x + t)
            s += v
            q += v * v
            t &+= 8
        }
        var sum = s.sum(), squares = q.sum()
        while t < count { let v = Double(x[t]); sum += v; squares += v * v; t &+= 1 }
        return (sum, squares)
    }

    /// Σ g[t] and Σ g[t]·x̂[t] for t < count, with x̂ = (x − shift)·scale computed in float; with
    /// `positive`, g[t] counts only where positive[t] > 0 (a ReLU's derivative, from its output).
    @inline(__always)
    package static func sumAndNormalizedDot(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, shift: Float, scale: Float, count: Int,
                                            where positive: UnsafePointer<Float>? = nil) -> (sum: Double, dot: Double) {
        guard let positive else {
            return sumAndNormalizedDot(x, shift: shift, scale: scale, count: count, gradients: { loadFloats(g + $0) }, gradient: { g[$0] })
        }
        return sumAndNormalizedDot(x, shift: shift, scale: scale, count: count,
                                   gradients: { loadFloats(g + $0).replacing(with: 0, where: loadFloats(positive + $0) .<= SIMD8<Float>.zero) },
                                   gradient: { t in
                                       let gradient = g[t]
                                       return positive[t] > 0 ? gradient : 0
                                   })
    }

    /// Σ g and Σ g·x̂ with g read eight at a time by `gradients(t)` and one at a time by `gradient(t)`.
    @inline(__always)
    private static func sumAndNormalizedDot(_ x: UnsafePointer<Float>, shift: Float, scale: Float, count: Int,
                                            gradients: (Int) -> SIMD8<Float>, gradient: (Int) -> Float) -> (sum: Double, dot: Double) {
        var s = Wide.zero, d = Wide.zero, t = 0
        let center = SIMD8<Float>(repeating: shift), factor = SIMD8<Float>(repeating: scale)
        while t &+ 8 <= count {
            let wide = Wide(gradients(t))
            s += wide
            d += wide * Wide((loadFloats(x + t) - center) * factor)
            t &+= 8
        }
        var sum = s.sum(), dot = d.sum()
        while t < count {
            let one = Double(gradient(t))
            sum += one
            dot += one * Double((x[t] - shift) * scale)
            t &+= 1
        }
        return (sum, dot)
    }

    /// Σ x[t] for t < count.
    @inline(__always)
    package static func sum(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var s = Wide.zero, t = 0
        while t &+ 8 <= count {
            s += load(x + t)
            t &+= 8
        }
        var sum = s.sum()
        while t < count { sum += Double(x[t]); t &+= 1 }
        return sum
    }

    @inline(__always)
    private static func loadFloats(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> Wide { Wide(loadFloats(p)) }
}
