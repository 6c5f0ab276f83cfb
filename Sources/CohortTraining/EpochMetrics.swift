/// What one epoch produced, reduced over all ranks (identical on every rank).
package struct EpochMetrics: Sendable {
    package var epoch: Int
    package var globalStep: Int
    package var loss: Double
    package var accuracy: Double
    package var validation: EvaluationResult?
    package var learningRate: Double
    package var imagesPerSecond: Double
    package var seconds: Double
    /// The share of the epoch these metrics cover: 1, or less for a run stopped mid-epoch.
    package var fraction = 1.0

    /// The JSON-lines record (`--log`): epoch (fractional for a partial one), step, loss, accuracy,
    /// val_loss, val_accuracy, lr, images_per_sec, seconds.
    package var record: [String: Double] {
        var r: [String: Double] = ["epoch": Double(epoch) + fraction, "step": Double(globalStep), "loss": loss, "accuracy": accuracy,
                                   "lr": learningRate, "images_per_sec": imagesPerSecond, "seconds": seconds]
        if let v = validation {
            r["val_loss"] = v.loss
            r["val_accuracy"] = v.accuracy
        }
        return r
    }
}
