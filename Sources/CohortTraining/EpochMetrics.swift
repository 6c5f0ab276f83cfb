/// What one epoch produced, reduced over all ranks (identical on every rank).
public struct EpochMetrics: Sendable {
    public var epoch: Int
    public var globalStep: Int
    public var loss: Double
    public var accuracy: Double
    public var validation: EvaluationResult?
    public var learningRate: Double
    public var imagesPerSecond: Double
    public var seconds: Double

    /// The JSON-lines record (`--log`): epoch, step, loss, accuracy, val_loss, val_accuracy, lr, images_per_sec, seconds.
    public var record: [String: Double] {
        var r: [String: Double] = ["epoch": Double(epoch + 1), "step": Double(globalStep), "loss": loss, "accuracy": accuracy,
                                   "lr": learningRate, "images_per_sec": imagesPerSecond, "seconds": seconds]
        if let v = validation {
            r["val_loss"] = v.loss
            r["val_accuracy"] = v.accuracy
        }
        return r
    }
}
