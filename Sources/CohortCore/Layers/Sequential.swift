/// Layers applied one after another; backward runs them in reverse. An activation right after an
/// `OverwritableOutput` layer runs in place.
public final class Sequential: Layer {
    public let name: String
    public let layers: [any Layer]
    /// Per-sample output shape of each layer, filled by `build` (for summaries).
    public private(set) var outputShapes: [Shape] = []

    public init(name: String = "", _ layers: [any Layer]) {
        self.name = name
        self.layers = layers
    }

    public var children: [any Layer] { layers }

    public func build(input: Shape) throws -> Shape {
        var shape = input
        outputShapes = []
        for (index, layer) in layers.enumerated() {
            shape = try build(child: layer, input: shape)
            outputShapes.append(shape)
            if index > 0, let activation = layer as? Activation { activation.inPlace = layers[index - 1] is OverwritableOutput }
        }
        return shape
    }

    public func forward(_ x: Tensor, context: Context) throws -> Tensor {
        var y = x
        for layer in layers { y = try forward(child: layer, y, context: context) }
        return y
    }

    public func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        var g = dy
        for layer in layers.reversed() { g = try backward(child: layer, g, context: context) }
        return g
    }
}
