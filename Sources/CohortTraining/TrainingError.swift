/// Errors that end a training run; each names the step, flag or file at fault.
package enum TrainingError: Error, CustomStringConvertible {
    case nonFiniteLoss(step: Int, epoch: Int)
    case invalidConfiguration(String)
    case resumeMismatch(path: String, field: String, checkpoint: String, run: String)

    package var description: String {
        switch self {
        case let .nonFiniteLoss(step, epoch):
            return "loss became NaN or infinite at global step \(step) (epoch \(epoch + 1)); stopped without saving a new checkpoint. Lower --lr or check the data."
        case let .invalidConfiguration(message):
            return message
        case let .resumeMismatch(path, field, checkpoint, run):
            return "cannot resume from \(path): its \(field) is \(checkpoint) but this run's is \(run)"
        }
    }
}
