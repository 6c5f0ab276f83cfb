import CohortCore

/// What `cohort summary` and `cohort models` show about a model: per-layer output shapes and
/// parameter counts, totals in Keras's convention, and forward FLOPs — all inferred from the
/// model's `Blueprint`, so no parameter is allocated.
public struct ModelSummary: Sendable {
    /// One line of the table: a layer reached through `Sequential`s, with everything below it.
    public struct Row: Sendable, Equatable {
        /// Dotted path (`layer2.0`, `inception3a`); an unnamed layer shows its type.
        public var name: String
        /// The CohortCore layer type (`Conv2D`, `Residual`, `Concat` …).
        public var type: String
        /// Per-sample output shape.
        public var outputShape: Shape
        /// Trainable scalars of the layer and its descendants.
        public var trainable: Int
        /// Non-trainable scalars (BatchNorm running statistics) of the layer and its descendants.
        public var buffers: Int
        /// Forward FLOPs per sample of the layer and its descendants.
        public var forwardFLOPs: Int
    }

    /// Per-sample input shape [C, H, W].
    public let input: Shape
    /// Per-sample output shape ([classes]).
    public let outputShape: Shape
    public let rows: [Row]
    /// Trainable scalars.
    public let trainable: Int
    /// Non-trainable scalars (BatchNorm running mean and variance).
    public let buffers: Int
    /// Forward FLOPs per sample (2 × multiply-accumulates of convolutions and dense layers).
    public let forwardFLOPs: Int

    /// Keras's "Total params": trainable + non-trainable.
    public var total: Int { trainable + buffers }

    /// Summarizes `blueprint` for the per-sample `input`; throws where the input does not fit,
    /// naming the layer (e.g. `CoreError.spatialTooSmall`).
    public init(blueprint: Blueprint, input: Shape) throws {
        let analysis = try blueprint.analyze(input: input)
        self.input = input
        outputShape = analysis.outputShape
        rows = analysis.rows
        (trainable, buffers, forwardFLOPs) = (analysis.trainable, analysis.buffers, analysis.forwardFLOPs)
    }

    /// Summarizes the zoo model `name` for `classes` and `input` (defaults from its entry).
    public init(model name: String, classes: Int? = nil, input: Shape? = nil) throws {
        let entry = try ModelZoo.entry(named: name)
        let shape = input ?? entry.defaultInput
        try self.init(blueprint: entry.blueprint(classes ?? entry.defaultClasses, shape), input: shape)
    }
}
