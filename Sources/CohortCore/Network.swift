/// A built model: a root layer, its input and output shapes, and its parameter arena.
package final class Network {
    package let root: any Layer
    /// Per-sample input shape (C, H, W).
    package let inputShape: Shape
    /// Per-sample output shape (classes).
    package let outputShape: Shape
    package let arena: ParameterArena
    /// For each layer that owns trainable parameters (directly or below), the arena offset of its first one.
    private let firstOffsets: [ObjectIdentifier: Int]

    /// Builds `root` for `inputShape` and lays out its parameters. Parameters are zero until `arena.initialize(seed:)`.
    /// Every convolution runs `convolution` when it is given (otherwise each keeps its own
    /// `algorithm`). Unless `inputGradient` is true, a leading convolution
    /// skips computing the gradient of the network input, which training never reads.
    package init(root: any Layer, inputShape: Shape, inputGradient: Bool = false, convolution: Conv2D.Algorithm? = nil) throws {
        self.root = root
        self.inputShape = inputShape
        self.outputShape = try root.build(input: inputShape)
        self.arena = ParameterArena(root: root)
        var offsets: [ObjectIdentifier: Int] = [:]
        func visit(_ layer: any Layer) {
            if let first = layer.namedParameters().first(where: { $0.parameter.isTrainable }) {
                offsets[ObjectIdentifier(layer)] = first.parameter.offset
            }
            if let conv = layer as? Conv2D, let convolution, conv.algorithm != convolution { conv.algorithm = convolution }
            layer.children.forEach(visit)
        }
        visit(root)
        firstOffsets = offsets
        if !inputGradient {
            var first: any Layer = root
            while let sequential = first as? Sequential, let head = sequential.layers.first { first = head }
            (first as? Conv2D)?.computesInputGradient = false
        }
    }

    /// Forward pass of a batch `[N, C, H, W]` → logits `[N, classes]`.
    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try root.forward(x, context: context)
    }

    /// Backward pass. The context's observer hears `gradientsReady(from:)` whenever every gradient
    /// from an offset on is final, and finally from offset 0.
    package func backward(_ dy: Tensor, context: Context) throws {
        context.gradientOffsets = context.observer == nil ? [:] : firstOffsets
        defer { context.gradientOffsets = [:] }
        _ = try root.backward(dy, context: context)
        context.observer?.gradientsReady(from: 0)
    }

    /// Total forward FLOPs per sample (2 × multiply-accumulates of conv and dense layers).
    package var forwardFLOPs: Int { root.totalForwardFLOPs }
}
