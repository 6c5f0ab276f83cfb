/// Layers applied one after another; backward runs them in reverse. An activation right after an
/// `OverwritableOutput` layer runs in place. A ReLU right after a convolution is applied by the
/// convolution as it writes its output; one right after a BatchNorm is applied, and differentiated,
/// by the BatchNorm.
package final class Sequential: Layer {
    package let name: String
    package let layers: [any Layer]
    /// Per-sample output shape of each layer, filled by `build` (for summaries).
    package private(set) var outputShapes: [Shape] = []

    package init(name: String = "", _ layers: [any Layer]) {
        self.name = name
        self.layers = layers
    }

    package var children: [any Layer] { layers }

    package func build(input: Shape) throws -> Shape {
        var shape = input
        outputShapes = []
        for (index, layer) in layers.enumerated() {
            shape = try build(child: layer, input: shape)
            outputShapes.append(shape)
            if index > 0, let activation = layer as? Activation {
                activation.inPlace = layers[index - 1] is OverwritableOutput
                let convolution = activation.function == .relu ? layers[index - 1] as? Conv2D : nil
                let normalization = activation.function == .relu ? layers[index - 1] as? BatchNorm : nil
                convolution?.rectifiesOutput = true
                normalization?.rectifiesOutput = true
                activation.isAppliedByPreviousLayer = convolution != nil || normalization != nil
                activation.isDifferentiatedByPreviousLayer = normalization != nil
            }
        }
        return shape
    }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        var y = x
        for layer in layers { y = try forward(child: layer, y, context: context) }
        return y
    }

    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        try backward(dy, context: context, downTo: 0)
    }

    /// Backward through layers `first...` only, returning the gradient of layer `first`'s input
    /// (what a network whose earlier layers are all frozen stops at).
    package func backward(_ dy: Tensor, context: Context, downTo first: Int) throws -> Tensor {
        var g = dy
        for layer in layers[first...].reversed() { g = try backward(child: layer, g, context: context) }
        return g
    }
}
