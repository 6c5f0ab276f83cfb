import CohortCore

/// A model's architecture as a value: the layer tree before any parameter exists.
///
/// Zoo models are written as blueprints. `makeLayer()` turns one into CohortCore layers (which
/// `Network` then builds and lays out in an arena); `analyze(input:)` infers every output shape,
/// parameter count and forward FLOP count from the same description without allocating a single
/// parameter, so `cohort models` and `cohort summary` stay instant even for VGG-16's 138 M weights.
/// Each case mirrors the CohortCore layer of the same name and its initialiser's defaults; the zoo
/// tests check that the analysis and the built `Network` agree for every model.
public indirect enum Blueprint: Sendable {
    /// `Conv2D`: K filters of k×k, stride, padding, groups (G = C: depthwise), optional bias.
    case conv2D(filters: Int, kernel: Int, stride: Int = 1, padding: Padding = .same, groups: Int = 1, bias: Bool = true, name: String)
    /// `SeparableConv2D`: depthwise k×k (no bias) then pointwise 1×1 (depth multiplier 1).
    case separableConv2D(filters: Int, kernel: Int, stride: Int = 1, padding: Padding = .same, bias: Bool = true, name: String)
    /// `Dense`: fully connected on the flattened input.
    case dense(units: Int, bias: Bool = true, name: String)
    /// `BatchNorm`: γ, β trainable; running mean and variance as buffers.
    case batchNorm(name: String)
    /// `Activation`: ReLU, tanh or sigmoid.
    case activation(Activation.Function, name: String)
    /// `MaxPool2D`: k×k windows, stride defaulting to k.
    case maxPool2D(kernel: Int, stride: Int? = nil, padding: Padding = .valid, name: String)
    /// `AvgPool2D`: k×k windows, stride defaulting to k, padded positions excluded.
    case avgPool2D(kernel: Int, stride: Int? = nil, padding: Padding = .valid, name: String)
    /// `GlobalPool`: [C, H, W] → [C].
    case globalPool(GlobalPool.Reduction, name: String)
    /// `Flatten`: any shape → [count].
    case flatten(name: String)
    /// `Dropout`: inverted dropout in training.
    case dropout(rate: Float, name: String)
    /// `ZeroPad2D`: zero rows and columns around each plane.
    case zeroPad2D(top: Int, bottom: Int, left: Int, right: Int, name: String)
    /// `LocalResponseNorm` across channels (Krizhevsky et al. 2012).
    case localResponseNorm(size: Int, k: Float, alpha: Float, beta: Float, name: String)
    /// `SqueezeExcitation` with C / reduction hidden units.
    case squeezeExcitation(reduction: Int, name: String)
    /// `Sequential`: layers one after another.
    case sequential(name: String = "", [Blueprint])
    /// `Residual`: main(x) + shortcut(x); a nil shortcut is the identity.
    case residual(name: String = "", main: Blueprint, shortcut: Blueprint? = nil)
    /// `Concat`: branches on the same input, concatenated along channels.
    case concat(name: String = "", [Blueprint])

    /// The layer's local name (dotted paths join these).
    public var name: String {
        switch self {
        case let .conv2D(_, _, _, _, _, _, name), let .separableConv2D(_, _, _, _, _, name), let .dense(_, _, name),
             let .batchNorm(name), let .activation(_, name), let .maxPool2D(_, _, _, name), let .avgPool2D(_, _, _, name),
             let .globalPool(_, name), let .flatten(name), let .dropout(_, name), let .zeroPad2D(_, _, _, _, name),
             let .localResponseNorm(_, _, _, _, name), let .squeezeExcitation(_, name), let .sequential(name, _),
             let .residual(name, _, _), let .concat(name, _):
            return name
        }
    }

    /// The CohortCore layer type this case makes (`Conv2D`, `Residual` …), for summaries.
    public var typeName: String {
        switch self {
        case .conv2D: return "Conv2D"
        case .separableConv2D: return "SeparableConv2D"
        case .dense: return "Dense"
        case .batchNorm: return "BatchNorm"
        case .activation: return "Activation"
        case .maxPool2D: return "MaxPool2D"
        case .avgPool2D: return "AvgPool2D"
        case .globalPool: return "GlobalPool"
        case .flatten: return "Flatten"
        case .dropout: return "Dropout"
        case .zeroPad2D: return "ZeroPad2D"
        case .localResponseNorm: return "LocalResponseNorm"
        case .squeezeExcitation: return "SqueezeExcitation"
        case .sequential: return "Sequential"
        case .residual: return "Residual"
        case .concat: return "Concat"
        }
    }

    /// A fresh, unbuilt CohortCore layer tree for this blueprint.
    public func makeLayer() -> any Layer {
        switch self {
        case let .conv2D(filters, kernel, stride, padding, groups, bias, name):
            return Conv2D(filters: filters, kernel: kernel, stride: stride, padding: padding, groups: groups, bias: bias, name: name)
        case let .separableConv2D(filters, kernel, stride, padding, bias, name):
            return SeparableConv2D(filters: filters, kernel: kernel, stride: stride, padding: padding, bias: bias, name: name)
        case let .dense(units, bias, name): return Dense(units: units, bias: bias, name: name)
        case let .batchNorm(name): return BatchNorm(name: name)
        case let .activation(function, name): return Activation(function, name: name)
        case let .maxPool2D(kernel, stride, padding, name): return MaxPool2D(kernel: kernel, stride: stride, padding: padding, name: name)
        case let .avgPool2D(kernel, stride, padding, name): return AvgPool2D(kernel: kernel, stride: stride, padding: padding, name: name)
        case let .globalPool(reduction, name): return GlobalPool(reduction, name: name)
        case let .flatten(name): return Flatten(name: name)
        case let .dropout(rate, name): return Dropout(rate: rate, name: name)
        case let .zeroPad2D(top, bottom, left, right, name): return ZeroPad2D(top: top, bottom: bottom, left: left, right: right, name: name)
        case let .localResponseNorm(size, k, alpha, beta, name): return LocalResponseNorm(size: size, k: k, alpha: alpha, beta: beta, name: name)
        case let .squeezeExcitation(reduction, name): return SqueezeExcitation(reduction: reduction, name: name)
        case let .sequential(name, layers): return Sequential(name: name, layers.map { $0.makeLayer() })
        case let .residual(name, main, shortcut): return Residual(name: name, main: main.makeLayer(), shortcut: shortcut?.makeLayer())
        case let .concat(name, branches): return Concat(name: name, branches.map { $0.makeLayer() })
        }
    }
}
