#if canImport(Glibc)
import Glibc
#endif

/// Local response normalization across channels (Krizhevsky et al. 2012, §3.3):
/// b[c] = a[c] · (k + α · Σ_{j=max(0, c−n/2)}^{min(C−1, c+n/2)} a[j]²)^(−β).
/// x [N, C, H, W] → same shape. Forward caches x and the denominators s = k + α·Σ a².
package final class LocalResponseNorm: Layer {
    package let name: String
    package let size: Int, k: Float, alpha: Float, beta: Float
    private var inputShape: Shape = []
    private var input: Tensor?
    private let scale = Tensor(zeros: [0])
    private let output = Tensor(zeros: [0])

    package init(size: Int = 5, k: Float = 2, alpha: Float = 1e-4, beta: Float = 0.75, name: String) {
        (self.size, self.k, self.alpha, self.beta, self.name) = (size, k, alpha, beta, name)
    }

    package func build(input: Shape) throws -> Shape {
        guard input.rank == 3 else { throw CoreError.shapeMismatch(layer: name, expected: "[C, H, W]", got: input) }
        inputShape = input
        return input
    }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: inputShape)
        input = x
        let (c, plane, half) = (inputShape[0], inputShape[1] * inputShape[2], size / 2)
        output.resize(to: x.shape)
        scale.resize(to: x.shape)
        let a = x.values.baseAddress!, s = scale.values.baseAddress!, b = output.values.baseAddress!
        for n in 0..<x.shape.batch {
            let base = n &* c &* plane
            for ch in 0..<c {
                let lo = max(0, ch - half), hi = min(c - 1, ch + half)
                for t in 0..<plane {
                    var sum: Float = 0
                    for j in lo...hi { let v = a[base &+ j &* plane &+ t]; sum += v * v }
                    let i = base &+ ch &* plane &+ t
                    s[i] = k + alpha * sum
                    b[i] = a[i] * powf(s[i], -beta)
                }
            }
        }
        return output
    }

    /// dA[i] = dB[i]·s[i]^−β − 2αβ·a[i]·Σ_{c: i∈window(c)} dB[c]·a[c]·s[c]^(−β−1)
    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        guard let x = input else { throw CoreError.invalidArgument("layer '\(name)': backward before forward") }
        let (c, plane, half) = (inputShape[0], inputShape[1] * inputShape[2], size / 2)
        let inputGradient = context.buffers.take(x.shape)
        let a = x.values.baseAddress!, s = scale.values.baseAddress!, g = dy.values.baseAddress!, dx = inputGradient.values.baseAddress!
        for n in 0..<x.shape.batch {
            let base = n &* c &* plane
            for ch in 0..<c {
                let lo = max(0, ch - half), hi = min(c - 1, ch + half)
                for t in 0..<plane {
                    var cross: Float = 0
                    for j in lo...hi {
                        let m = base &+ j &* plane &+ t
                        cross += g[m] * a[m] * powf(s[m], -beta - 1)
                    }
                    let i = base &+ ch &* plane &+ t
                    dx[i] = g[i] * powf(s[i], -beta) - 2 * alpha * beta * a[i] * cross
                }
            }
        }
        return inputGradient
    }
}
