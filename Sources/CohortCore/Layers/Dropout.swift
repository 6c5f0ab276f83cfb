/// Inverted dropout: in training each element is zeroed with probability `rate` and the rest
/// scaled by 1/(1 − rate); identity in inference. The mask of sample n, element i is a hash of
/// (`context.sampleKeys[n]`, this layer's name, i), so it is the same whichever rank or thread
/// computes that sample. Forward caches the mask.
public final class Dropout: Layer {
    public let name: String
    public let rate: Float
    private let salt: UInt64
    private var shape: Shape = []
    private var mask: [Float] = []
    private var active = false
    private let output = Tensor(zeros: [0])

    public init(rate: Float, name: String) {
        self.rate = rate
        self.name = name
        self.salt = name.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }

    public func build(input: Shape) throws -> Shape { shape = input; return input }

    public func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: shape)
        active = context.mode == .training && rate > 0
        guard active else { return x }
        let n = x.shape.batch, per = shape.count
        guard context.sampleKeys.count >= n else {
            throw CoreError.invalidArgument("layer '\(name)': training needs one sample key per sample (\(context.sampleKeys.count) for \(n))")
        }
        output.resize(to: x.shape)
        if mask.count < x.count { mask = [Float](repeating: 0, count: x.count) }
        let keep = 1 / (1 - rate), threshold = UInt64(Double(rate) * Double(UInt64.max))
        let src = x.values, dst = output.values
        for s in 0..<n {
            let key = SeededGenerator.mix(context.sampleKeys[s] ^ salt)
            for i in 0..<per {
                let m: Float = SeededGenerator.mix(key &+ UInt64(i)) >= threshold ? keep : 0
                mask[s &* per &+ i] = m
                dst[s &* per &+ i] = src[s &* per &+ i] * m
            }
        }
        return output
    }

    public func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        guard active else { return dy }
        let inputGradient = context.buffers.take(dy.shape)
        let g = dy.values, dx = inputGradient.values
        for i in 0..<g.count { dx[i] = g[i] * mask[i] }
        return inputGradient
    }
}
