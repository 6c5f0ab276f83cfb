import CohortCore

extension Blueprint {
    /// What `analyze(input:)` infers for a subtree: output shape, totals, and its summary rows.
    public struct Analysis: Sendable {
        /// Per-sample output shape.
        public var outputShape: Shape
        /// Trainable scalars.
        public var trainable = 0
        /// Non-trainable scalars (BatchNorm running mean and variance).
        public var buffers = 0
        /// Forward FLOPs per sample: 2 × multiply-accumulates of convolutions and dense layers, as `Layer.forwardFLOPs`.
        public var forwardFLOPs = 0
        /// One row per node reached through `Sequential`s; a composite's row covers everything below it.
        public var rows: [ModelSummary.Row] = []

        fileprivate mutating func add(_ other: Analysis) {
            trainable += other.trainable
            buffers += other.buffers
            forwardFLOPs += other.forwardFLOPs
            rows += other.rows
        }
    }

    /// Infers output shapes, parameter counts and FLOPs for a per-sample `input`, exactly as
    /// `Layer.build(input:)` would lay them out, without creating any parameter.
    ///
    /// Throws `CoreError.spatialTooSmall` naming the dotted path of the first layer whose output
    /// would have no rows or columns, and `CoreError.shapeMismatch` / `.invalidArgument` where a
    /// layer cannot take its input.
    public func analyze(input: Shape, prefix: String = "") throws -> Analysis {
        let path = prefix.isEmpty ? name : (name.isEmpty ? prefix : prefix + "." + name)
        var result = try analyzeNode(input: input, path: path)
        if case .sequential = self { return result }
        result.rows = [ModelSummary.Row(name: path.isEmpty ? typeName : path, type: typeName, outputShape: result.outputShape,
                                        trainable: result.trainable, buffers: result.buffers, forwardFLOPs: result.forwardFLOPs)]
        return result
    }

    /// Totals of one node and its descendants; only a `Sequential` keeps its children's rows.
    private func analyzeNode(input: Shape, path: String) throws -> Analysis {
        let label = path.isEmpty ? typeName : path
        switch self {
        case let .conv2D(filters, kernel, stride, padding, groups, bias, _):
            let (height, width) = try Self.spatial(input, kernel: kernel, stride: stride, padding: padding, layer: label)
            guard input[0] % groups == 0, filters % groups == 0 else {
                throw CoreError.invalidArgument("layer '\(label)': \(input[0]) input channels and \(filters) filters must both divide into \(groups) groups")
            }
            let columnRows = input[0] / groups * kernel * kernel
            return Analysis(outputShape: [filters, height, width], trainable: filters * columnRows + (bias ? filters : 0),
                            forwardFLOPs: 2 * filters * columnRows * height * width)
        case let .separableConv2D(filters, kernel, stride, padding, bias, _):
            try Self.requireImage(input, layer: label)
            return try Blueprint.sequential([
                .conv2D(filters: input[0], kernel: kernel, stride: stride, padding: padding, groups: input[0], bias: false, name: "depthwise"),
                .conv2D(filters: filters, kernel: 1, bias: bias, name: "pointwise"),
            ]).analyze(input: input, prefix: path)
        case let .dense(units, bias, _):
            return Analysis(outputShape: [units], trainable: units * input.count + (bias ? units : 0), forwardFLOPs: 2 * units * input.count)
        case .batchNorm:
            guard input.rank == 1 || input.rank == 3 else { throw CoreError.shapeMismatch(layer: label, expected: "[C, H, W] or [C]", got: input) }
            return Analysis(outputShape: input, trainable: 2 * input[0], buffers: 2 * input[0])
        case .activation, .dropout:
            return Analysis(outputShape: input)
        case let .maxPool2D(kernel, stride, padding, _), let .avgPool2D(kernel, stride, padding, _):
            let (height, width) = try Self.spatial(input, kernel: kernel, stride: stride ?? kernel, padding: padding, layer: label)
            return Analysis(outputShape: [input[0], height, width])
        case .globalPool:
            try Self.requireImage(input, layer: label)
            return Analysis(outputShape: [input[0]])
        case .flatten:
            return Analysis(outputShape: [input.count])
        case let .zeroPad2D(top, bottom, left, right, _):
            try Self.requireImage(input, layer: label)
            return Analysis(outputShape: [input[0], input[1] + top + bottom, input[2] + left + right])
        case .localResponseNorm:
            try Self.requireImage(input, layer: label)
            return Analysis(outputShape: input)
        case let .squeezeExcitation(reduction, _):
            try Self.requireImage(input, layer: label)
            let (channels, hidden) = (input[0], max(1, input[0] / reduction))
            return Analysis(outputShape: input, trainable: 2 * channels * hidden + hidden + channels, forwardFLOPs: 4 * channels * hidden)
        case let .residual(_, main, shortcut):
            var result = try main.analyze(input: input, prefix: path)
            if let shortcut {
                let side = try shortcut.analyze(input: input, prefix: path)
                guard side.outputShape == result.outputShape else {
                    throw CoreError.invalidArgument("layer '\(label)': main branch gives \(result.outputShape) but the shortcut gives \(side.outputShape)")
                }
                result.add(side)
            } else if result.outputShape != input {
                throw CoreError.invalidArgument("layer '\(label)': main branch gives \(result.outputShape) but the shortcut gives \(input)")
            }
            return result
        case let .concat(_, branches):
            var result = Analysis(outputShape: [])
            var channels = 0
            for branch in branches {
                let part = try branch.analyze(input: input, prefix: path)
                let first = result.outputShape.rank == 3 ? result.outputShape : part.outputShape
                guard part.outputShape.rank == 3, part.outputShape[1] == first[1], part.outputShape[2] == first[2] else {
                    throw CoreError.invalidArgument("layer '\(label)': branch '\(branch.name)' gives \(part.outputShape), expected [*, \(first[1]), \(first[2])]")
                }
                result.add(part)
                channels += part.outputShape[0]
                result.outputShape = [channels, first[1], first[2]]
            }
            guard result.outputShape.rank == 3 else { throw CoreError.invalidArgument("layer '\(label)': needs at least one branch with a [C, H, W] output") }
            return result
        case let .sequential(_, layers):
            var result = Analysis(outputShape: input)
            for layer in layers {
                let part = try layer.analyze(input: result.outputShape, prefix: path)
                result.add(part)
                result.outputShape = part.outputShape
            }
            return result
        }
    }

    private static func requireImage(_ input: Shape, layer: String) throws {
        guard input.rank == 3 else { throw CoreError.shapeMismatch(layer: layer, expected: "[C, H, W]", got: input) }
    }

    /// Output rows and columns of a k×k window sliding with `stride` (Conv2D and the pools).
    private static func spatial(_ input: Shape, kernel: Int, stride: Int, padding: Padding, layer: String) throws -> (Int, Int) {
        try requireImage(input, layer: layer)
        func size(_ extent: Int, _ pad: Int?) -> Int {
            guard let pad else { return padding.resolve(input: extent, kernel: kernel, stride: stride).output }
            return extent + 2 * pad >= kernel ? (extent + 2 * pad - kernel) / stride + 1 : 0
        }
        let pads: (Int, Int)? = if case let .explicit(height, width) = padding { (height, width) } else { nil }
        let (height, width) = (size(input[1], pads?.0), size(input[2], pads?.1))
        guard height > 0, width > 0 else { throw CoreError.spatialTooSmall(layer: layer, input: input) }
        return (height, width)
    }
}
