/// Hooks on the training loop's events. The trainer calls them on rank 0 only, after metrics
/// were reduced across ranks; decisions that every rank must share (checkpoint, schedule, early
/// stop) live in the trainer itself.
package protocol TrainingCallback: AnyObject {
    func fitStarted(epochs: Int, stepsPerEpoch: Int, startEpoch: Int)
    func batchEnded(epoch: Int, step: Int, stepsPerEpoch: Int, loss: Double, accuracy: Double, imagesPerSecond: Double)
    func epochEnded(_ metrics: EpochMetrics, history: [[String: Double]])
    func fitEnded(test: EvaluationResult?)
}

extension TrainingCallback {
    package func fitStarted(epochs: Int, stepsPerEpoch: Int, startEpoch: Int) {}
    package func batchEnded(epoch: Int, step: Int, stepsPerEpoch: Int, loss: Double, accuracy: Double, imagesPerSecond: Double) {}
    package func epochEnded(_ metrics: EpochMetrics, history: [[String: Double]]) {}
    package func fitEnded(test: EvaluationResult?) {}
}
