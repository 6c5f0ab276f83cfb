import CohortCore

/// Every model Cohort can train by name.
package enum ModelZoo {
    /// A zoo entry: how to build the model's layers for a class count and a per-sample input shape.
    package struct Entry: Sendable {
        package let name: String
        /// One line for `cohort models`.
        package let summary: String
        /// Default per-sample input [C, H, W] and class count.
        package let defaultInput: Shape
        package let defaultClasses: Int
        /// A fresh, unbuilt layer tree for `classes` outputs and a per-sample `input` [C, H, W]:
        /// the model's only description (summaries walk it once built).
        package let make: @Sendable (_ classes: Int, _ input: Shape) -> any Layer
    }

    /// Every entry, in the order `cohort models` lists them.
    package static let entries: [Entry] = [
        FashionCNN.entry, LeNet.seedEntry, LeNet.classicEntry, AlexNet.batchNormEntry, AlexNet.localResponseNormEntry,
        VGG.entry, GoogLeNet.entry,
    ] + ResNet.entries + [ResNet.cifarEntry, ResNet.fashionEntry, Xception.entry, SENet.entry]

    /// The zoo names, in listing order.
    package static var names: [String] { entries.map(\.name) }

    /// The entry for `name`, or an error listing the valid names.
    package static func entry(named name: String) throws -> Entry {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw ZooError.unknownModel(name, valid: names)
        }
        return entry
    }

    /// Builds the named model as a `Network` for `classes` and `input` (defaults from the entry).
    /// An input too small for the model is an error naming the layer's dotted path, thrown before
    /// the arena allocates any parameter.
    /// `inputGradient`: whether backward returns the gradient of the input (see `Network.init`);
    /// `frozen`: parameter-name prefixes to freeze (`--freeze`).
    package static func network(named name: String, classes: Int? = nil, input: Shape? = nil, inputGradient: Bool = false,
                                convolution: Conv2D.Algorithm? = nil, frozen: [String] = []) throws -> Network {
        let entry = try entry(named: name)
        return try Network(root: entry.make(classes ?? entry.defaultClasses, input ?? entry.defaultInput),
                           inputShape: input ?? entry.defaultInput, inputGradient: inputGradient, convolution: convolution, frozen: frozen)
    }
}

/// Errors from the model zoo.
package enum ZooError: Error, CustomStringConvertible, Equatable {
    case unknownModel(String, valid: [String])

    package var description: String {
        switch self {
        case let .unknownModel(name, valid):
            return "unknown model '\(name)'; valid models: \(valid.joined(separator: ", "))"
        }
    }
}
