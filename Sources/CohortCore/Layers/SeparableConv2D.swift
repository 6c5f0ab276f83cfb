/// Depthwise separable convolution (Chollet 2017): a depthwise k×k convolution (one filter per
/// input channel × `depthMultiplier`, no bias) followed by a pointwise 1×1 convolution with bias,
/// as Keras's SeparableConv2D. Children: `depthwise`, `pointwise`.
package final class SeparableConv2D: Layer {
    package let name: String
    package let filters: Int, kernel: Int, stride: Int, padding: Padding, depthMultiplier: Int, useBias: Bool
    private var body: Sequential!

    package init(filters: Int, kernel: Int, stride: Int = 1, padding: Padding = .same, depthMultiplier: Int = 1, bias: Bool = true, name: String) {
        (self.filters, self.kernel, self.stride, self.padding) = (filters, kernel, stride, padding)
        (self.depthMultiplier, self.useBias, self.name) = (depthMultiplier, bias, name)
    }

    package var children: [any Layer] { body?.layers ?? [] }

    package func build(input: Shape) throws -> Shape {
        guard input.rank == 3 else { throw CoreError.shapeMismatch(layer: name, expected: "[C, H, W]", got: input) }
        let c = input[0]
        body = Sequential([
            Conv2D(filters: c * depthMultiplier, kernel: kernel, stride: stride, padding: padding, groups: c, bias: false, name: "depthwise"),
            Conv2D(filters: filters, kernel: 1, bias: useBias, name: "pointwise"),
        ])
        return try build(child: body, input: input)
    }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        var y = x
        for layer in body.layers { y = try forward(child: layer, y, context: context) }
        return y
    }

    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        var g = dy
        for layer in body.layers.reversed() { g = try backward(child: layer, g, context: context) }
        return g
    }
}
