/// Errors that end a training run; each names the step, flag or file at fault.
package enum TrainingError: Error, CustomStringConvertible {
    case invalidConfiguration(String)
    case resumeMismatch(path: String, field: String, checkpoint: String, run: String)

    package var description: String {
        switch self {
        case let .invalidConfiguration(message):
            return message
        case let .resumeMismatch(path, field, checkpoint, run):
            return "cannot resume from \(path): its \(field) is \(checkpoint) but this run's is \(run)"
        }
    }
}
