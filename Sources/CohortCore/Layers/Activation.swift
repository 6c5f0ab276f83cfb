#if canImport(Glibc)
import Glibc
#endif

/// Elementwise activation: ReLU max(0, x), Tanh, or Sigmoid 1 / (1 + e^−x). Any shape.
/// Forward caches its output (each derivative is a function of y).
public final class Activation: Layer {
    public enum Function: String, Sendable { case relu, tanh, sigmoid }

    public let name: String
    public let function: Function
    private var shape: Shape = []
    private let output = Tensor(zeros: [0])
    private let inputGradient = Tensor(zeros: [0])

    public init(_ function: Function, name: String) {
        self.function = function
        self.name = name
    }

    public func build(input: Shape) throws -> Shape { shape = input; return input }

    public func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: shape)
        output.resize(to: x.shape)
        let src = x.values, dst = output.values
        switch function {
        case .relu: for i in 0..<src.count { dst[i] = max(src[i], 0) }
        case .tanh: for i in 0..<src.count { dst[i] = tanhf(src[i]) }
        case .sigmoid: for i in 0..<src.count { dst[i] = 1 / (1 + expf(-src[i])) }
        }
        return output
    }

    public func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        inputGradient.resize(to: output.shape)
        let y = output.values, g = dy.values, dx = inputGradient.values
        switch function {
        case .relu:
            // Both loads unconditional, so the loop becomes a vector select.
            for i in 0..<y.count {
                let gi = g[i]
                dx[i] = y[i] > 0 ? gi : 0
            }
        case .tanh: for i in 0..<y.count { dx[i] = g[i] * (1 - y[i] * y[i]) }
        case .sigmoid: for i in 0..<y.count { dx[i] = g[i] * y[i] * (1 - y[i]) }
        }
        return inputGradient
    }
}
