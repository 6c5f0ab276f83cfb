/// Errors raised by layers and core components; each message names the layer or value at fault.
package enum CoreError: Error, CustomStringConvertible, Equatable {
    /// A layer received an input whose shape it cannot take.
    case shapeMismatch(layer: String, expected: String, got: Shape)
    /// A layer's output would have a zero or negative spatial size.
    case spatialTooSmall(layer: String, input: Shape)
    /// An invalid configuration value.
    case invalidArgument(String)

    /// The same error with `parent.` before the layer it names.
    func inside(_ parent: String) -> CoreError {
        switch self {
        case let .shapeMismatch(layer, expected, got): return .shapeMismatch(layer: parent + "." + layer, expected: expected, got: got)
        case let .spatialTooSmall(layer, input): return .spatialTooSmall(layer: parent + "." + layer, input: input)
        case .invalidArgument: return self
        }
    }

    package var description: String {
        switch self {
        case let .shapeMismatch(layer, expected, got):
            return "layer '\(layer)': expected input \(expected), got \(got)"
        case let .spatialTooSmall(layer, input):
            return "layer '\(layer)': input \(input) is too small, the output spatial size would reach zero"
        case let .invalidArgument(message):
            return message
        }
    }
}
