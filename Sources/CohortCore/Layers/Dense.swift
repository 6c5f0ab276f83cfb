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
        let y = output.values.baseAddress!, xp = x.values.baseAddress!, wp = weight.value.values.baseAddress!
        let (units, features, b) = (units, features, bias?.value.values.baseAddress)
        // Threads take columns (units): each reads all of X and its rows of W.
        ThreadSplit.forEachRange(units, threads: context.threads, minimumPerThread: 16, partsPerThread: 1) { columns in
            if let b {
                for i in 0..<n { (y + i * units + columns.lowerBound).update(from: b + columns.lowerBound, count: columns.count) }
            }
            Gemm.multiply(transposeA: false, transposeB: true, m: n, n: columns.count, k: features,
                          a: xp, lda: features, b: wp + columns.lowerBound * features, ldb: features,
                          beta: b == nil ? 0 : 1, c: y + columns.lowerBound, ldc: units)
        }
        return output
    }

    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        guard let x = input else { throw CoreError.invalidArgument("layer '\(name)': backward before forward") }
        let n = x.shape.batch
        let inputGradient = context.buffers.take(x.shape)
        let dyp = dy.values.baseAddress!, xp = x.values.baseAddress!, dx = inputGradient.values.baseAddress!
        let wp = weight.value.values.baseAddress!, dwp = weight.isTrainable ? weight.gradient.values.baseAddress : nil
        let (units, features) = (units, features)
        let db = bias.flatMap { $0.isTrainable ? $0.gradient.values.baseAddress : nil }
        // dW += dYᵀ · X, split by rows of dW (units); dX = dY · W, split by columns (features). Frozen: no dW, db.
        ThreadSplit.forEachRange(units, threads: context.threads, minimumPerThread: 16, partsPerThread: 1) { rows in
            if let dwp {
                Gemm.multiply(transposeA: true, transposeB: false, m: rows.count, n: features, k: n,
                              a: dyp + rows.lowerBound, lda: units, b: xp, ldb: features,
                              beta: 1, c: dwp + rows.lowerBound * features, ldc: features)
            }
            if let db {
                for i in 0..<n { for u in rows { db[u] += dyp[i * units + u] } }
            }
        }
        ThreadSplit.forEachRange(features, threads: context.threads, minimumPerThread: 16, partsPerThread: 1) { columns in
            Gemm.multiply(transposeA: false, transposeB: false, m: n, n: columns.count, k: units,
                          a: dyp, lda: units, b: wp + columns.lowerBound, ldb: features,
                          beta: 0, c: dx + columns.lowerBound, ldc: features)
        }
        return inputGradient
    }
}
