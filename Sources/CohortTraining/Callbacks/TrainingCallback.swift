/// Hooks on the training loop's events. The trainer calls them on rank 0 only, after metrics
/// were reduced across ranks; decisions that every rank must share (checkpoint, schedule, early
/// stop) live in the trainer itself.
package protocol TrainingCallback: AnyObject {
    func fitStarted(epochs: Int, stepsPerEpoch: Int, startEpoch: Int, startGlobalStep: Int)
    func batchEnded(_ progress: StepProgress)
    func epochEnded(_ metrics: EpochMetrics, history: [[String: Double]])
    /// The run stops mid-epoch (`--max-steps`, a stop signal): `partial` holds the unfinished
    /// epoch's metrics so far (its `epoch` record is fractional, e.g. 2.25).
    func stoppedMidEpoch(_ partial: EpochMetrics, history: [[String: Double]])
    func fitEnded(test: EvaluationResult?)
}

extension TrainingCallback {
    package func fitStarted(epochs: Int, stepsPerEpoch: Int, startEpoch: Int, startGlobalStep: Int) {}
    package func batchEnded(_ progress: StepProgress) {}
    package func epochEnded(_ metrics: EpochMetrics, history: [[String: Double]]) {}
    package func stoppedMidEpoch(_ partial: EpochMetrics, history: [[String: Double]]) {}
    package func fitEnded(test: EvaluationResult?) {}
}
