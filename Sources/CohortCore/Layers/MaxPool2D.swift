/// Max pooling over k×k windows (overlapping when stride < k), with optional padding
/// (padded positions never win). x [N, C, H, W] → y [N, C, P, Q].
/// Forward caches the index of each window's maximum.
public final class MaxPool2D: Layer {
    public let name: String
    public let kernel: Int, stride: Int, padding: Padding
    private var geometry: PoolGeometry!
    private var inputShape: Shape = []
    private var argmax: [Int32] = []
    private let output = Tensor(zeros: [0])

    public init(kernel: Int, stride: Int? = nil, padding: Padding = .valid, name: String) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
        self.name = name
    }

    public func build(input: Shape) throws -> Shape {
        geometry = try PoolGeometry(layer: name, input: input, kernel: kernel, stride: stride, padding: padding)
        inputShape = input
        return geometry.outputShape
    }

    public func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: inputShape)
        let g = geometry!, planes = x.shape.batch * g.channels
        output.resize(to: g.outputShape.batched(x.shape.batch))
        if argmax.count < output.count { argmax = [Int32](repeating: 0, count: output.count) }
        let src = x.values.baseAddress!, dst = output.values.baseAddress!
        argmax.withUnsafeMutableBufferPointer { arg in
            for plane in 0..<planes {
                let xin = src + plane &* g.height &* g.width
                for p in 0..<g.outH {
                    for q in 0..<g.outW {
                        let (rows, cols) = g.window(p: p, q: q)
                        var best = -Float.infinity, bestIndex = rows.lowerBound &* g.width &+ cols.lowerBound
                        for h in rows {
                            for w in cols where xin[h &* g.width &+ w] > best {
                                best = xin[h &* g.width &+ w]
                                bestIndex = h &* g.width &+ w
                            }
                        }
                        let o = (plane &* g.outH &+ p) &* g.outW &+ q
                        dst[o] = best
                        arg[o] = Int32(bestIndex)
                    }
                }
            }
        }
        return output
    }

    public func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        let g = geometry!, planes = dy.shape.batch * g.channels
        let inputGradient = context.buffers.take(inputShape.batched(dy.shape.batch))
        inputGradient.zero()
        let dyp = dy.values.baseAddress!, dxp = inputGradient.values.baseAddress!
        let outPlane = g.outH * g.outW, inPlane = g.height * g.width
        argmax.withUnsafeBufferPointer { arg in
            for plane in 0..<planes {
                for o in 0..<outPlane {
                    let i = plane &* outPlane &+ o
                    dxp[plane &* inPlane &+ Int(arg[i])] += dyp[i]
                }
            }
        }
        return inputGradient
    }
}
