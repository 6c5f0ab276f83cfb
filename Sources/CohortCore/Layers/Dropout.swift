import CohortRandom
/// Inverted dropout: in training each element is zeroed with probability `rate` and the rest
/// scaled by 1/(1 − rate); identity in inference. The mask of sample n, element i is a hash of
/// (`context.sampleKeys[n].value`, this layer's name, i), so it is the same whichever rank or thread
/// computes that sample. Forward caches the mask.
package final class Dropout: Layer {
    package let name: String
    package let rate: Float
    private let salt: UInt64
    private var shape: Shape = []
    private var mask: [Float] = []
    private var active = false
    private let output = Tensor(zeros: [0])

    package init(rate: Float, name: String) {
        self.rate = rate
        self.name = name
        self.salt = fnv1a(name.utf8)
    }

    package func build(input: Shape) throws -> Shape { shape = input; return input }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
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
        let src = x.values, dst = output.values, salt = salt, keys = context.sampleKeys
        mask.withUnsafeMutableBufferPointer { mask in
            ThreadSplit.forEachRange(n, threads: context.threads, minimumPerThread: max(1, Elementwise.minimumPerThread / per)) { samples in
                for s in samples {
                    let key = SplitMix64.mix(keys[s].value ^ salt)
                    for i in 0..<per {
                        let m: Float = SplitMix64.mix(key &+ UInt64(i)) >= threshold ? keep : 0
                        mask[s &* per &+ i] = m
                        dst[s &* per &+ i] = src[s &* per &+ i] * m
                    }
                }
            }
        }
        return output
    }

    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        guard active else { return dy }
        let inputGradient = context.buffers.take(dy.shape)
        let g = dy.values, dx = inputGradient.values
        mask.withUnsafeBufferPointer { mask in
            ThreadSplit.forEachRange(g.count, threads: context.threads, minimumPerThread: Elementwise.minimumPerThread) { range in
                for i in range { dx[i] = g[i] * mask[i] }
            }
        }
        return inputGradient
    }
}
