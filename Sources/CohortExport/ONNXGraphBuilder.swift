import CohortCore
import Foundation

/// Builds an ONNX graph one node at a time: every value gets a unique name, parameters become
/// float32 initializers under their checkpoint names, small integer operands become int64 ones.
struct ONNXGraphBuilder {
    private(set) var graph = Onnx_GraphProto()
    private var usedNames: Set<String> = []

    /// A value name not used yet: `base`, else `base_1`, `base_2`, ….
    mutating func uniqueName(_ base: String) -> String {
        var name = base, suffix = 0
        while usedNames.contains(name) {
            suffix += 1
            name = "\(base)_\(suffix)"
        }
        usedNames.insert(name)
        return name
    }

    /// Appends `op` reading `inputs`; returns the name of its one output, derived from `name`.
    mutating func node(_ op: String, _ inputs: [String], name: String, attributes: [Onnx_AttributeProto] = []) -> String {
        let output = uniqueName(name.isEmpty ? op.lowercased() : name)
        graph.node.append(Onnx_NodeProto.with {
            $0.opType = op
            $0.name = output
            $0.input = inputs
            $0.output = [output]
            $0.attribute = attributes
        })
        return output
    }

    /// A float32 initializer holding `parameter`'s values, named `name`.
    mutating func initializer(_ name: String, _ parameter: Parameter) -> String {
        let unique = uniqueName(name)
        graph.initializer.append(Onnx_TensorProto.with {
            $0.name = unique
            $0.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
            $0.dims = parameter.shape.dims.map(Int64.init)
            // Raw data is little-endian, as float32 is in memory on every platform Cohort runs on.
            $0.rawData = Data(buffer: UnsafeBufferPointer(parameter.value.values))
        })
        return unique
    }

    /// A one-dimensional int64 initializer (pads, axes), named after `name`.
    mutating func constant(_ name: String, _ values: [Int]) -> String {
        let unique = uniqueName(name)
        graph.initializer.append(Onnx_TensorProto.with {
            $0.name = unique
            $0.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
            $0.dims = [Int64(values.count)]
            $0.int64Data = values.map(Int64.init)
        })
        return unique
    }

    /// Declares a float32 graph input or output `[batch, dims…]`, the batch dimension symbolic.
    static func tensorInfo(_ name: String, batch: String, shape: Shape) -> Onnx_ValueInfoProto {
        Onnx_ValueInfoProto.with {
            $0.name = name
            $0.type.tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
            $0.type.tensorType.shape.dim = [Onnx_TensorShapeProto.Dimension.with { $0.dimParam = batch }]
                + shape.dims.map { size in Onnx_TensorShapeProto.Dimension.with { $0.dimValue = Int64(size) } }
        }
    }

    /// Renames value `old` to `new` wherever a node produces or reads it.
    mutating func rename(_ old: String, to new: String) {
        for index in graph.node.indices {
            graph.node[index].output = graph.node[index].output.map { $0 == old ? new : $0 }
            graph.node[index].input = graph.node[index].input.map { $0 == old ? new : $0 }
        }
        usedNames.insert(new)
    }
}

extension Onnx_AttributeProto {
    /// An integer attribute.
    static func int(_ name: String, _ value: Int) -> Self {
        .with { $0.name = name; $0.type = .int; $0.i = Int64(value) }
    }

    /// An integer-list attribute.
    static func ints(_ name: String, _ values: [Int]) -> Self {
        .with { $0.name = name; $0.type = .ints; $0.ints = values.map(Int64.init) }
    }

    /// A float attribute.
    static func float(_ name: String, _ value: Float) -> Self {
        .with { $0.name = name; $0.type = .float; $0.f = value }
    }
}
