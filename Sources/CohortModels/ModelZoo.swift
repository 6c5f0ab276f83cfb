import CohortCore

/// Every model Cohort can train by name.
public enum ModelZoo {
    /// A zoo entry: the model's blueprint for a class count and a per-sample input shape.
    public struct Entry: Sendable {
        public let name: String
        /// One line for `cohort models`.
        public let summary: String
        /// Default per-sample input [C, H, W] and class count.
        public let defaultInput: Shape
        public let defaultClasses: Int
        /// The architecture for `classes` outputs and a per-sample `input` [C, H, W].
        public let blueprint: @Sendable (_ classes: Int, _ input: Shape) -> Blueprint
    }

    /// Every entry, in the order `cohort models` lists them.
    public static let entries: [Entry] = [
        FashionCNN.entry, LeNet.seedEntry, LeNet.classicEntry, AlexNet.batchNormEntry, AlexNet.localResponseNormEntry,
        VGG.entry, GoogLeNet.entry,
    ] + ResNet.entries + [ResNet.cifarEntry, ResNet.fashionEntry, Xception.entry, SENet.entry]

    /// The zoo names, in listing order.
    public static var names: [String] { entries.map(\.name) }

    /// The entry for `name`, or an error listing the valid names.
    public static func entry(named name: String) throws -> Entry {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw ZooError.unknownModel(name, valid: names)
        }
        return entry
    }

    /// Builds the named model as a `Network` for `classes` and `input` (defaults from the entry).
    /// The blueprint is checked against the input first, so an input too small for the model is an
    /// error naming the layer's dotted path before any parameter is allocated.
    /// `inputGradient`: whether backward returns the gradient of the input (see `Network.init`).
    public static func network(named name: String, classes: Int? = nil, input: Shape? = nil, inputGradient: Bool = false) throws -> Network {
        let entry = try entry(named: name)
        let inputShape = input ?? entry.defaultInput
        let blueprint = entry.blueprint(classes ?? entry.defaultClasses, inputShape)
        _ = try blueprint.analyze(input: inputShape)
        return try Network(root: blueprint.makeLayer(), inputShape: inputShape, inputGradient: inputGradient)
    }
}

/// Errors from the model zoo.
public enum ZooError: Error, CustomStringConvertible, Equatable {
    case unknownModel(String, valid: [String])

    public var description: String {
        switch self {
        case let .unknownModel(name, valid):
            return "unknown model '\(name)'; valid models: \(valid.joined(separator: ", "))"
        }
    }
}
