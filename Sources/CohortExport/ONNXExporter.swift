import CohortCore
import Foundation
import SwiftProtobuf

/// Writes a built `Network` as an ONNX model (opset 17) for inference.
///
/// The graph takes `input` [N, C, H, W] (float32, N symbolic) — the tensor `Network.forward` takes,
/// already normalized — and gives `logits` [N, classes]: no Softmax is appended. Each layer maps to
/// standard ONNX operators: Conv (with `group` for depthwise), Gemm, MaxPool, AveragePool (padding
/// excluded from the average), GlobalAveragePool/GlobalMaxPool + Flatten, Relu/Tanh/Sigmoid, LRN,
/// Concat, Add (residuals), Unsqueeze + Mul (squeeze-excitation), Pad (ZeroPad2D), Flatten, and
/// BatchNormalization in inference form with the running statistics (not folded: runtimes such as
/// onnxruntime fuse it into the convolution before it when they load the model). Dropout is
/// omitted. Initializers carry the checkpoint's tensor names (`layer1.0.conv1.weight`).
package enum ONNXExporter {
    /// The ONNX operator set the graph is written for.
    package static let opset = 17
    /// The IR version that goes with `opset`.
    static let irVersion = 8

    /// The serialized model of `network`, with `metadata` as the model's metadata properties.
    package static func export(_ network: Network, metadata: [String: String] = [:]) throws -> Data {
        var builder = ONNXGraphBuilder()
        let input = builder.uniqueName("input")
        let output = try emit(network.root, input: Value(name: input, shape: network.inputShape), prefix: "", into: &builder)
        guard output.shape == network.outputShape else {
            throw ExportError.internalShape(expected: network.outputShape, got: output.shape)
        }
        if output.name == input {
            _ = builder.node("Identity", [input], name: "logits")
        } else {
            builder.rename(output.name, to: "logits")
        }
        var graph = builder.graph
        graph.name = "cohort"
        graph.input = [ONNXGraphBuilder.tensorInfo(input, batch: "N", shape: network.inputShape)]
        graph.output = [ONNXGraphBuilder.tensorInfo("logits", batch: "N", shape: network.outputShape)]
        let model = Onnx_ModelProto.with {
            $0.irVersion = Int64(irVersion)
            $0.producerName = "cohort"
            $0.producerVersion = CohortVersion.string
            $0.opsetImport = [Onnx_OperatorSetIdProto.with { $0.domain = ""; $0.version = Int64(opset) }]
            $0.graph = graph
            $0.metadataProps = metadata.sorted { $0.key < $1.key }.map { entry in
                Onnx_StringStringEntryProto.with { $0.key = entry.key; $0.value = entry.value }
            }
        }
        return try model.serializedData()
    }

    /// A value of the graph: its name and per-sample shape.
    struct Value {
        var name: String
        var shape: Shape
    }

    /// Appends the nodes of `layer` (whose parent's dotted path is `prefix`) reading `input`; returns its output.
    private static func emit(_ layer: any Layer, input: Value, prefix: String, into builder: inout ONNXGraphBuilder) throws -> Value {
        let path = layer.path(under: prefix)
        func parameter(_ p: Parameter) -> String { builder.initializer(path.isEmpty ? p.name : path + "." + p.name, p) }
        func chain(_ layers: [any Layer]) throws -> Value {
            try layers.reduce(input) { value, child in try emit(child, input: value, prefix: path, into: &builder) }
        }
        func same(_ op: String, attributes: [Onnx_AttributeProto] = [], extra: [String] = []) -> Value {
            Value(name: builder.node(op, [input.name] + extra, name: path, attributes: attributes), shape: input.shape)
        }
        let shape = input.shape
        switch layer {
        case let sequential as Sequential:
            return try chain(sequential.layers)
        case let separable as SeparableConv2D:
            return try chain(separable.children)
        case let conv as Conv2D:
            let window = try Window(layer: path, input: shape, kernel: conv.kernel, stride: conv.stride, padding: conv.padding)
            let inputs = [input.name, parameter(conv.weight)] + (conv.bias.map { [parameter($0)] } ?? [])
            let name = builder.node("Conv", inputs, name: path, attributes: window.attributes + [.int("group", conv.groups)])
            return Value(name: name, shape: [conv.filters, window.outH, window.outW])
        case let dense as Dense:
            let flat = shape.rank == 1 ? input.name : builder.node("Flatten", [input.name], name: path + "_flatten", attributes: [.int("axis", 1)])
            let inputs = [flat, parameter(dense.weight)] + (dense.bias.map { [parameter($0)] } ?? [])
            return Value(name: builder.node("Gemm", inputs, name: path, attributes: [.int("transB", 1)]), shape: [dense.units])
        case let norm as BatchNorm:
            let inputs = [norm.weight, norm.bias, norm.runningMean, norm.runningVariance].map { parameter($0!) }
            return same("BatchNormalization", attributes: [.float("epsilon", norm.epsilon)], extra: inputs)
        case let activation as Activation:
            switch activation.function {
            case .relu: return same("Relu")
            case .tanh: return same("Tanh")
            case .sigmoid: return same("Sigmoid")
            }
        case let pool as MaxPool2D:
            let window = try Window(layer: path, input: shape, kernel: (pool.kernel, pool.kernel), stride: (pool.stride, pool.stride), padding: pool.padding)
            return Value(name: builder.node("MaxPool", [input.name], name: path, attributes: window.attributes), shape: [shape[0], window.outH, window.outW])
        case let pool as AvgPool2D:
            let window = try Window(layer: path, input: shape, kernel: (pool.kernel, pool.kernel), stride: (pool.stride, pool.stride), padding: pool.padding)
            let name = builder.node("AveragePool", [input.name], name: path, attributes: window.attributes + [.int("count_include_pad", 0)])
            return Value(name: name, shape: [shape[0], window.outH, window.outW])
        case let pool as GlobalPool:
            let pooled = builder.node(pool.reduction == .average ? "GlobalAveragePool" : "GlobalMaxPool", [input.name], name: path)
            return Value(name: builder.node("Flatten", [pooled], name: path + "_flatten", attributes: [.int("axis", 1)]), shape: [shape[0]])
        case is Flatten:
            return Value(name: builder.node("Flatten", [input.name], name: path, attributes: [.int("axis", 1)]), shape: [shape.count])
        case is Dropout:
            return input
        case let norm as LocalResponseNorm:
            // ONNX sums squares over channels [c − ⌊(size−1)/2⌋, c + ⌈(size−1)/2⌉] and scales α by 1/size;
            // Cohort's window is c ± size/2 with α unscaled: the same for odd sizes.
            guard norm.size % 2 == 1 else { throw ExportError.unsupported(layer: path, reason: "LRN with an even size (\(norm.size))") }
            return same("LRN", attributes: [.float("alpha", norm.alpha * Float(norm.size)), .float("beta", norm.beta),
                                             .float("bias", norm.k), .int("size", norm.size)])
        case let pad as ZeroPad2D:
            let pads = builder.constant(path + "_pads", [0, 0, pad.top, pad.left, 0, 0, pad.bottom, pad.right])
            let name = builder.node("Pad", [input.name, pads], name: path)
            return Value(name: name, shape: [shape[0], shape[1] + pad.top + pad.bottom, shape[2] + pad.left + pad.right])
        case let concat as Concat:
            let outputs = try concat.branches.map { try emit($0, input: input, prefix: path, into: &builder) }
            let name = builder.node("Concat", outputs.map(\.name), name: path, attributes: [.int("axis", 1)])
            return Value(name: name, shape: [outputs.map { $0.shape[0] }.reduce(0, +), outputs[0].shape[1], outputs[0].shape[2]])
        case let residual as Residual:
            let main = try emit(residual.main, input: input, prefix: path, into: &builder)
            let shortcut = try residual.shortcut.map { try emit($0, input: input, prefix: path, into: &builder) } ?? input
            return Value(name: builder.node("Add", [main.name, shortcut.name], name: path), shape: main.shape)
        case let excitation as SqueezeExcitation:
            // s = excitation(x) is [N, C]; y = x ⊙ s broadcast over H×W.
            let scales = try chain(excitation.children)
            let axes = builder.constant(path + "_axes", [2, 3])
            let perChannel = builder.node("Unsqueeze", [scales.name, axes], name: path + "_scale")
            return same("Mul", extra: [perChannel])
        default:
            throw ExportError.unsupported(layer: path, reason: "no ONNX mapping for \(type(of: layer))")
        }
    }
}
