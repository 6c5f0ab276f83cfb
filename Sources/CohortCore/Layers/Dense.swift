/// Fully connected layer: y = x · weightᵀ + bias.
///
/// Shapes: x [N, F] (any per-sample shape is flattened), weight [U, F], bias [U], y [N, U].
/// Forward caches a reference to x.
package final class Dense: Layer {
    package let name: String
    package let units: Int
    package let useBias: Bool
    package private(set) var weight: Parameter!
    package private(set) var bias: Parameter?
    private var inputShape: Shape = []
    private var input: Tensor?
    private let output = Tensor(zeros: [0])

    package init(units: Int, bias: Bool = true, name: String) {
        self.units = units
        self.useBias = bias
        self.name = name
    }

    package var parameters: [Parameter] { [weight, bias].compactMap { $0 } }
    private var features: Int { inputShape.count }

    package func build(input: Shape) throws -> Shape {
        inputShape = input
        weight = Parameter(name: "weight", shape: [units, input.count], role: .weight,
                           initializer: .glorotUniform(fanIn: input.count, fanOut: units))
        bias = useBias ? Parameter(name: "bias", shape: [units], role: .bias, initializer: .zeros) : nil
        return [units]
    }

    package var forwardFLOPs: Int { 2 * units * features }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: inputShape)
        input = x
        let n = x.shape.batch
        output.resize(to: [n, units])
        let y = output.values.baseAddress!
        if let bias {
            for i in 0..<n { (y + i * units).update(from: bias.value.values.baseAddress!, count: units) }
        }
        Gemm.multiply(transposeA: false, transposeB: true, m: n, n: units, k: features,
                      a: x.values.baseAddress!, lda: features, b: weight.value.values.baseAddress!, ldb: features,
                      beta: bias == nil ? 0 : 1, c: y, ldc: units)
        return output
    }

    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        guard let x = input else { throw CoreError.invalidArgument("layer '\(name)': backward before forward") }
        let n = x.shape.batch
        let inputGradient = context.buffers.take(x.shape)
        let dyp = dy.values.baseAddress!
        // dW += dYᵀ · X ; dX = dY · W
        Gemm.multiply(transposeA: true, transposeB: false, m: units, n: features, k: n,
                      a: dyp, lda: units, b: x.values.baseAddress!, ldb: features,
                      beta: 1, c: weight.gradient.values.baseAddress!, ldc: features)
        Gemm.multiply(transposeA: false, transposeB: false, m: n, n: features, k: units,
                      a: dyp, lda: units, b: weight.value.values.baseAddress!, ldb: features,
                      beta: 0, c: inputGradient.values.baseAddress!, ldc: features)
        if let bias {
            let db = bias.gradient.values
            for i in 0..<n { for u in 0..<units { db[u] += dyp[i * units + u] } }
        }
        return inputGradient
    }
}
