/// Global pooling over each channel's plane: x [N, C, H, W] → y [N, C], by average or maximum.
/// Max caches the index of each plane's maximum.
package final class GlobalPool: Layer {
    package enum Reduction: Sendable { case average, maximum }

    package let name: String
    package let reduction: Reduction
    private var inputShape: Shape = []
    private var argmax: [Int32] = []
    private let output = Tensor(zeros: [0])

    package init(_ reduction: Reduction, name: String) {
        self.reduction = reduction
        self.name = name
    }

    package func build(input: Shape) throws -> Shape {
        guard input.rank == 3 else { throw CoreError.shapeMismatch(layer: name, expected: "[C, H, W]", got: input) }
        inputShape = input
        return [input[0]]
    }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: inputShape)
        let planes = x.shape.batch * inputShape[0], size = inputShape[1] * inputShape[2]
        output.resize(to: [x.shape.batch, inputShape[0]])
        if reduction == .maximum && argmax.count < planes { argmax = [Int32](repeating: 0, count: planes) }
        let src = x.values.baseAddress!, dst = output.values, reduction = reduction
        argmax.withUnsafeMutableBufferPointer { argmax in
            ThreadSplit.forEachRange(planes, threads: context.threads, minimumPerThread: 64) { range in
                for plane in range {
                    let xin = src + plane &* size
                    switch reduction {
                    case .average:
                        var sum: Float = 0
                        for i in 0..<size { sum += xin[i] }
                        dst[plane] = sum / Float(size)
                    case .maximum:
                        var best = xin[0], bestIndex = 0
                        for i in 1..<max(size, 1) where xin[i] > best { best = xin[i]; bestIndex = i }
                        dst[plane] = best
                        argmax[plane] = Int32(bestIndex)
                    }
                }
            }
        }
        return output
    }

    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        let planes = dy.shape.batch * inputShape[0], size = inputShape[1] * inputShape[2]
        let inputGradient = context.buffers.take(inputShape.batched(dy.shape.batch))
        let g = dy.values, dxp = inputGradient.values.baseAddress!
        switch reduction {
        case .average:
            ThreadSplit.forEachRange(planes, threads: context.threads, minimumPerThread: 64) { range in
                for plane in range { (dxp + plane &* size).update(repeating: g[plane] / Float(size), count: size) }
            }
        case .maximum:
            inputGradient.zero()
            for plane in 0..<planes { dxp[plane &* size &+ Int(argmax[plane])] = g[plane] }
        }
        return inputGradient
    }
}
