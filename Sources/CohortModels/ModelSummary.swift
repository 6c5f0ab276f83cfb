import CohortCore

/// What `cohort summary` and `cohort models` show about a model: per-layer output shapes and
/// parameter counts, totals in Keras's convention, and forward FLOPs — read off the model's built
/// layer tree. Building describes parameters without allocating them (only a `ParameterArena`
/// does), so summarising VGG-16's 138 M weights costs nothing.
package struct ModelSummary: Sendable {
    /// One line of the table: a layer reached through `Sequential`s, with everything below it.
    package struct Row: Sendable, Equatable {
        /// Dotted path (`layer2.0`, `inception3a`); an unnamed layer shows its type.
        package var name: String
        /// The CohortCore layer type (`Conv2D`, `Residual`, `Concat` …).
        package var type: String
        /// Per-sample output shape.
        package var outputShape: Shape
        /// Trainable scalars of the layer and its descendants.
        package var trainable: Int
        /// Non-trainable scalars (BatchNorm running statistics) of the layer and its descendants.
        package var buffers: Int
        /// Forward FLOPs per sample of the layer and its descendants.
        package var forwardFLOPs: Int
    }

    /// Per-sample input shape [C, H, W].
    package let input: Shape
    /// Per-sample output shape ([classes]).
    package let outputShape: Shape
    package let rows: [Row]
    /// Trainable scalars.
    package let trainable: Int
    /// Non-trainable scalars (BatchNorm running mean and variance).
    package let buffers: Int
    /// Forward FLOPs per sample (2 × multiply-accumulates of convolutions and dense layers).
    package let forwardFLOPs: Int

    /// Keras's "Total params": trainable + non-trainable.
    package var total: Int { trainable + buffers }

    /// Builds `root` for the per-sample `input` and summarizes it; throws where the input does not
    /// fit, naming the layer by its dotted path (e.g. `CoreError.spatialTooSmall`).
    package init(root: any Layer, input: Shape) throws {
        self.input = input
        outputShape = try root.build(input: input)
        rows = Self.rows(of: root, prefix: "", outputShape: outputShape)
        trainable = rows.reduce(0) { $0 + $1.trainable }
        buffers = rows.reduce(0) { $0 + $1.buffers }
        forwardFLOPs = rows.reduce(0) { $0 + $1.forwardFLOPs }
    }

    /// Summarizes the zoo model `name` for `classes` and `input` (defaults from its entry).
    package init(model name: String, classes: Int? = nil, input: Shape? = nil) throws {
        let entry = try ModelZoo.entry(named: name)
        let shape = input ?? entry.defaultInput
        try self.init(root: entry.make(classes ?? entry.defaultClasses, shape), input: shape)
    }

    /// One row per layer reached through `Sequential`s (dotted paths as in parameter names); any
    /// other layer's row covers everything below it.
    private static func rows(of layer: any Layer, prefix: String, outputShape: Shape) -> [Row] {
        let path = layer.path(under: prefix)
        if let sequential = layer as? Sequential {
            return zip(sequential.layers, sequential.outputShapes).flatMap { rows(of: $0, prefix: path, outputShape: $1) }
        }
        let type = String(describing: Swift.type(of: layer))
        let parameters = layer.namedParameters().map(\.parameter)
        return [Row(name: path.isEmpty ? type : path, type: type, outputShape: outputShape,
                    trainable: parameters.filter(\.isTrainable).reduce(0) { $0 + $1.count },
                    buffers: parameters.filter { !$0.isTrainable }.reduce(0) { $0 + $1.count },
                    forwardFLOPs: layer.totalForwardFLOPs)]
    }
}
