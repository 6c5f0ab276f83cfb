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
    /// The dotted path of the layer owning the model's last parameters: the classifier (`fc`).
    package let classifier: String
    /// When the root is a `Sequential`: the first of its layers with trainable parameters. Backward
    /// stops there, since nothing before it (all frozen) needs a gradient.
    private let backwardStop: Int

    /// Builds `root` for `inputShape` and lays out its parameters. Parameters are zero until `arena.initialize(seed:)`.
    /// Every convolution runs `convolution` when it is given (otherwise each keeps its own
    /// `algorithm`). Unless `inputGradient` is true, a leading convolution
    /// skips computing the gradient of the network input, which training never reads.
    /// Parameters whose dotted names start with one of the `frozen` prefixes (`layer1` covers
    /// `layer1.0.conv1.weight`, not `layer10…`) are frozen; their BatchNorm layers then normalize
    /// with the running statistics in training too. A prefix that matches nothing is an error.
    package init(root: any Layer, inputShape: Shape, inputGradient: Bool = false, convolution: Conv2D.Algorithm? = nil,
                 frozen: [String] = []) throws {
        self.root = root
        self.inputShape = inputShape
        self.outputShape = try root.build(input: inputShape)
        let named = root.namedParameters()
        for prefix in frozen {
            let matching = named.filter { $0.name == prefix || $0.name.hasPrefix(prefix + ".") }
            guard !matching.isEmpty else {
                let tops = named.map { String($0.name.prefix { $0 != "." }) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                throw CoreError.invalidArgument("--freeze \(prefix): no parameter name starts with it (top-level names: \(tops.joined(separator: ", ")))")
            }
            for (_, parameter) in matching where parameter.role != .buffer { parameter.isFrozen = true }
        }
        classifier = named.last.map { name in name.name.split(separator: ".").dropLast().joined(separator: ".") } ?? ""
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
        let layers = (root as? Sequential)?.layers ?? []
        backwardStop = layers.firstIndex { layer in layer.namedParameters().contains { $0.parameter.isTrainable } } ?? 0
        if !inputGradient {
            var first: any Layer = root
            while let sequential = first as? Sequential, let head = sequential.layers.first { first = head }
            (first as? Conv2D)?.computesInputGradient = false
        }
    }

    /// Multiplies the learning rate of every trainable parameter under the dotted path `prefix` by
    /// `factor` (`--lr-head-multiplier` on the classifier); the optimizer reads it when built.
    package func scaleLearningRate(under prefix: String, by factor: Float) {
        for (name, parameter) in arena.trainable where name.hasPrefix(prefix + ".") { parameter.learningRateScale = factor }
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
        if let sequential = root as? Sequential {
            _ = try sequential.backward(dy, context: context, downTo: backwardStop)
        } else {
            _ = try root.backward(dy, context: context)
        }
        context.observer?.gradientsReady(from: 0)
    }

    /// Total forward FLOPs per sample (2 × multiply-accumulates of conv and dense layers).
    package var forwardFLOPs: Int { root.totalForwardFLOPs }
}
