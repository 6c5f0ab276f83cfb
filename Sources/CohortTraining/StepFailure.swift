import CohortDistributed

/// Why every rank stopped together at a step, after agreeing on it (`StepAgreement`); the update of
/// that step was not applied.
package enum StepFailure: AgreedError, CustomStringConvertible {
    /// Some rank's loss was NaN or infinite at global step `step` (0-based).
    case nonFiniteLoss(step: Int, epoch: Int)
    /// Ranks could not load samples of global step `step`; `failures` holds each such rank's
    /// message (naming the file); `checkpoint` is what was saved after the last completed step.
    case badSample(step: Int, epoch: Int, failures: [(rank: Int, message: String)], checkpoint: String?)

    package var description: String {
        switch self {
        case let .nonFiniteLoss(step, epoch):
            return "loss became NaN or infinite at global step \(step) (epoch \(epoch + 1)); stopped without saving a new checkpoint. Lower --lr or check the data."
        case let .badSample(step, epoch, failures, checkpoint):
            let what = failures.map { "rank \($0.rank): \($0.message)" }.joined(separator: "; ")
            let saved = checkpoint.map { "saved \($0) after the last completed step (global step \(step)); fix or remove the file, then run again with --resume auto" }
                ?? "no checkpoint saved (no --checkpoint-dir)"
            return "could not load the batch of global step \(step + 1) (epoch \(epoch + 1)): \(what). Every rank stopped before that step; \(saved) (or pass --skip-bad to skip undecodable images)"
        }
    }
}
