import CohortCore

/// Why a network cannot be exported.
package enum ExportError: Error, CustomStringConvertible, Equatable {
    /// A layer (by dotted path) with no ONNX equivalent.
    case unsupported(layer: String, reason: String)
    /// The exported graph's output shape differs from the network's (a bug in the exporter).
    case internalShape(expected: Shape, got: Shape)

    package var description: String {
        switch self {
        case let .unsupported(layer, reason):
            return "cannot export layer '\(layer)' to ONNX: \(reason)"
        case let .internalShape(expected, got):
            return "exported graph gives \(got) per sample but the network gives \(expected)"
        }
    }
}
