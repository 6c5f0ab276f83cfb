/// Where training stands after a step, as the callbacks see it (rank 0; loss and accuracy are
/// rank 0's slice of the step, the throughput is estimated for all ranks).
package struct StepProgress: Sendable {
    /// 0-based epoch.
    package var epoch: Int
    package var epochs: Int
    /// Steps of this epoch done (1-based: the step that just ended).
    package var step: Int
    package var stepsPerEpoch: Int
    /// Steps done since the run started from scratch (across resumes).
    package var globalStep: Int
    package var loss: Double
    package var accuracy: Double
    package var imagesPerSecond: Double
    /// Seconds and steps since this process started the epoch (it may have resumed mid-epoch).
    package var secondsThisEpoch: Double
    package var stepsThisEpoch: Int

    /// Seconds per step measured in this epoch so far.
    package var secondsPerStep: Double { secondsThisEpoch / Double(max(stepsThisEpoch, 1)) }

    /// Estimated seconds until this epoch ends.
    package var epochETA: Double { secondsPerStep * Double(stepsPerEpoch - step) }

    /// Estimated seconds until the last epoch ends (training only, without evaluations).
    package var runETA: Double { epochETA + secondsPerStep * Double((epochs - epoch - 1) * stepsPerEpoch) }

    /// The metrics-log record of this step (`"type": "step"`).
    package var record: [String: Any] {
        ["type": "step", "epoch": epoch + 1, "step": step, "steps_per_epoch": stepsPerEpoch, "global_step": globalStep,
         "loss": loss, "accuracy": accuracy, "images_per_sec": imagesPerSecond, "eta_epoch_seconds": epochETA, "eta_run_seconds": runETA]
    }
}
