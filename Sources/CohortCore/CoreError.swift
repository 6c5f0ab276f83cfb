/// Errors raised by layers and core components; each message names the layer or value at fault.
public enum CoreError: Error, CustomStringConvertible, Equatable {
    /// A layer received an input whose shape it cannot take.
    case shapeMismatch(layer: String, expected: String, got: Shape)
    /// A layer's output would have a zero or negative spatial size.
    case spatialTooSmall(layer: String, input: Shape)
    /// An invalid configuration value.
    case invalidArgument(String)

    public var description: String {
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
