import CohortRandom
/// How a parameter's initial values are drawn. Fans are computed by the layer that owns it.
package enum Initializer: Sendable, Equatable {
    case zeros
    case ones
    /// Glorot/Xavier uniform: U(-l, l), l = sqrt(6 / (fanIn + fanOut)) — Keras's default for conv and dense.
    case glorotUniform(fanIn: Int, fanOut: Int)
    /// He normal: N(0, 2 / fanIn) (truncation not applied).
    case heNormal(fanIn: Int)
    /// He uniform: U(-l, l), l = sqrt(6 / fanIn).
    case heUniform(fanIn: Int)

    /// Fills `values` with draws from `generator`.
    package func fill(_ values: UnsafeMutableBufferPointer<Float>, using generator: inout SplitMix64) {
        switch self {
        case .zeros: values.update(repeating: 0)
        case .ones: values.update(repeating: 1)
        case let .glorotUniform(fanIn, fanOut):
            let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
            for i in values.indices { values[i] = (generator.nextFloat() * 2 - 1) * limit }
        case let .heNormal(fanIn):
            let std = Float((2.0 / Double(fanIn)).squareRoot())
            for i in values.indices { values[i] = generator.nextNormal() * std }
        case let .heUniform(fanIn):
            let limit = Float((6.0 / Double(fanIn)).squareRoot())
            for i in values.indices { values[i] = (generator.nextFloat() * 2 - 1) * limit }
        }
    }
}
