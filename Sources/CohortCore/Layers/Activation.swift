#if canImport(Glibc)
import Glibc
#endif

/// Elementwise activation: ReLU max(0, x), Tanh, or Sigmoid 1 / (1 + e^−x). Any shape.
/// Forward caches its output (each derivative is a function of y). With `inPlace` the output is the
/// input tensor, overwritten.
package final class Activation: Layer {
    package enum Function: String, Sendable { case relu, tanh, sigmoid }

    package let name: String
    package let function: Function
    /// Whether forward overwrites its input rather than writing a tensor of its own. `Sequential`
    /// sets it when the layer before is `OverwritableOutput`.
    package var inPlace = false
    /// Whether the layer before already applied this function to the tensor forward receives (a
    /// convolution or BatchNorm with `rectifiesOutput`), so forward only passes it on; needs `inPlace`.
    package var isAppliedByPreviousLayer = false
    /// Whether the layer before also applies this function's derivative in its backward (a
    /// BatchNorm with `rectifiesOutput`), so backward only passes the gradient on.
    package var isDifferentiatedByPreviousLayer = false
    private var shape: Shape = []
    private let ownOutput = Tensor(zeros: [0])
    private var output: Tensor?

    package init(_ function: Function, name: String) {
        self.function = function
        self.name = name
    }

    package func build(input: Shape) throws -> Shape { shape = input; return input }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: shape)
        let y = inPlace ? x : ownOutput
        if !inPlace { y.resize(to: x.shape) }
        output = y
        if isAppliedByPreviousLayer && inPlace { return y }
        let src = x.values, dst = y.values, function = function
        ThreadSplit.forEachRange(src.count, threads: context.threads, minimumPerThread: Elementwise.minimumPerThread) { range in
            switch function {
            case .relu: for i in range { dst[i] = max(src[i], 0) }
            case .tanh: for i in range { dst[i] = tanhf(src[i]) }
            case .sigmoid: for i in range { dst[i] = 1 / (1 + expf(-src[i])) }
            }
        }
        return y
    }

    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        guard let output else { throw CoreError.invalidArgument("layer '\(name)': backward before forward") }
        if isDifferentiatedByPreviousLayer { return dy }
        let inputGradient = context.buffers.take(output.shape)
        let y = output.values, g = dy.values, dx = inputGradient.values, function = function
        ThreadSplit.forEachRange(y.count, threads: context.threads, minimumPerThread: Elementwise.minimumPerThread) { range in
            switch function {
            case .relu:
                // Both loads unconditional, so the loop becomes a vector select.
                for i in range {
                    let gi = g[i]
                    dx[i] = y[i] > 0 ? gi : 0
                }
            case .tanh: for i in range { dx[i] = g[i] * (1 - y[i] * y[i]) }
            case .sigmoid: for i in range { dx[i] = g[i] * y[i] * (1 - y[i]) }
            }
        }
        return inputGradient
    }
}
