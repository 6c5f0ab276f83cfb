/// Average pooling over k×k windows, with optional padding; padded positions are excluded from
/// the average (Keras/TensorFlow convention). x [N, C, H, W] → y [N, C, P, Q]. Caches nothing.
package final class AvgPool2D: Layer {
    package let name: String
    package let kernel: Int, stride: Int, padding: Padding
    private var geometry: PoolGeometry!
    private var inputShape: Shape = []
    private let output = Tensor(zeros: [0])

    package init(kernel: Int, stride: Int? = nil, padding: Padding = .valid, name: String) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
        self.name = name
    }

    package func build(input: Shape) throws -> Shape {
        geometry = try PoolGeometry(layer: name, input: input, kernel: kernel, stride: stride, padding: padding)
        inputShape = input
        return geometry.outputShape
    }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: inputShape)
        let g = geometry!, planes = x.shape.batch * g.channels
        output.resize(to: g.outputShape.batched(x.shape.batch))
        let src = x.values.baseAddress!, dst = output.values.baseAddress!
        ThreadSplit.forEachRange(planes, threads: context.threads, minimumPerThread: 8) { range in
            for plane in range {
                let xin = src + plane &* g.height &* g.width
                for p in 0..<g.outH {
                    for q in 0..<g.outW {
                        let (rows, cols) = g.window(p: p, q: q)
                        var sum: Float = 0
                        for h in rows { for w in cols { sum += xin[h &* g.width &+ w] } }
                        dst[(plane &* g.outH &+ p) &* g.outW &+ q] = sum / Float(rows.count * cols.count)
                    }
                }
            }
        }
        return output
    }

    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        let g = geometry!, planes = dy.shape.batch * g.channels
        let inputGradient = context.buffers.take(inputShape.batched(dy.shape.batch))
        let dyp = dy.values.baseAddress!, dxp = inputGradient.values.baseAddress!
        ThreadSplit.forEachRange(planes, threads: context.threads, minimumPerThread: 8) { range in
            for plane in range {
                let dxin = dxp + plane &* g.height &* g.width
                dxin.update(repeating: 0, count: g.height &* g.width)
                for p in 0..<g.outH {
                    for q in 0..<g.outW {
                        let (rows, cols) = g.window(p: p, q: q)
                        let share = dyp[(plane &* g.outH &+ p) &* g.outW &+ q] / Float(rows.count * cols.count)
                        for h in rows { for w in cols { dxin[h &* g.width &+ w] += share } }
                    }
                }
            }
        }
        return inputGradient
    }
}
