import CohortDistributed

/// The running training totals of one epoch on this rank, summed over ranks at the epoch's end.
/// Loss, correct and samples survive a mid-epoch stop in the checkpoint; seconds and images
/// measure only this process's part of the epoch.
struct EpochTally: RankSum {
    /// Sum of per-sample training losses.
    var lossSum = 0.0
    /// Correct top-1 predictions.
    var correct = 0.0
    /// Samples trained on.
    var samples = 0.0
    /// Wall time of this process's part of the epoch.
    var seconds = 0.0
    /// Images this process trained on in this epoch.
    var images = 0.0

    init() {}

    /// Adds one step's results on a batch of `count` samples.
    mutating func add(_ step: TrainingStep.Result, count: Int) {
        lossSum += step.lossSum
        correct += Double(step.correct)
        samples += Double(count)
        images += Double(count)
    }

    var loss: Double { lossSum / max(samples, 1) }
    var accuracy: Double { correct / max(samples, 1) }

    var summands: [Double] { [lossSum, correct, samples, seconds, images] }

    init(summands: [Double]) {
        (lossSum, correct, samples, seconds, images) = (summands[0], summands[1], summands[2], summands[3], summands[4])
    }

    /// The checkpoint's record of an unfinished epoch (`CheckpointState.metrics`).
    var checkpointMetrics: [String: Double] { ["partial_loss_sum": lossSum, "partial_correct": correct, "partial_count": samples] }

    /// The totals of an epoch resumed from `metrics` (zero when the checkpoint ended an epoch).
    init(checkpointMetrics metrics: [String: Double]) {
        lossSum = metrics["partial_loss_sum"] ?? 0
        correct = metrics["partial_correct"] ?? 0
        samples = metrics["partial_count"] ?? 0
    }
}
