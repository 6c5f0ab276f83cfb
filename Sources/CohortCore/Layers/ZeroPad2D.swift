/// Zero padding around each plane: x [N, C, H, W] → y [N, C, H + top + bottom, W + left + right].
/// Caches nothing.
package final class ZeroPad2D: Layer {
    package let name: String
    package let top: Int, bottom: Int, left: Int, right: Int
    private var inputShape: Shape = []
    private let output = Tensor(zeros: [0])

    package init(top: Int, bottom: Int, left: Int, right: Int, name: String) {
        (self.top, self.bottom, self.left, self.right, self.name) = (top, bottom, left, right, name)
    }

    package convenience init(_ padding: Int, name: String) {
        self.init(top: padding, bottom: padding, left: padding, right: padding, name: name)
    }

    package func build(input: Shape) throws -> Shape {
        guard input.rank == 3 else { throw CoreError.shapeMismatch(layer: name, expected: "[C, H, W]", got: input) }
        inputShape = input
        return [input[0], input[1] + top + bottom, input[2] + left + right]
    }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: inputShape)
        let (h, w) = (inputShape[1], inputShape[2]), (oh, ow) = (h + top + bottom, w + left + right)
        output.resize(to: [x.shape.batch, inputShape[0], oh, ow])
        output.zero()
        let src = x.values.baseAddress!, dst = output.values.baseAddress!
        for plane in 0..<(x.shape.batch * inputShape[0]) {
            for r in 0..<h {
                let target = ((plane &* oh) &+ r &+ top) &* ow &+ left, source = (plane &* h &+ r) &* w
                (dst + target).update(from: src + source, count: w)
            }
        }
        return output
    }

    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        let (h, w) = (inputShape[1], inputShape[2]), (oh, ow) = (h + top + bottom, w + left + right)
        let inputGradient = context.buffers.take(inputShape.batched(dy.shape.batch))
        let src = dy.values.baseAddress!, dst = inputGradient.values.baseAddress!
        for plane in 0..<(dy.shape.batch * inputShape[0]) {
            for r in 0..<h {
                let target = (plane &* h &+ r) &* w, source = ((plane &* oh) &+ r &+ top) &* ow &+ left
                (dst + target).update(from: src + source, count: w)
            }
        }
        return inputGradient
    }
}
