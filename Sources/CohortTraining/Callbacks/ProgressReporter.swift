import Foundation

/// Progress on rank 0: on a terminal a live bar per epoch (step, loss, accuracy, img/s, ETA);
/// otherwise (CI, Slurm logs) one line per epoch.
package final class ProgressReporter: TrainingCallback {
    package let interactive: Bool
    private let write: (String) -> Void
    private var epochs = 0
    private var lastDraw = 0.0
    private var epochStarted = 0.0

    package init(interactive: Bool = Console.isInteractive, write: @escaping (String) -> Void = Console.write) {
        self.interactive = interactive
        self.write = write
    }

    package func fitStarted(epochs: Int, stepsPerEpoch: Int, startEpoch: Int) {
        self.epochs = epochs
        write("training: \(epochs) epochs × \(stepsPerEpoch) steps" + (startEpoch > 0 ? ", resuming at epoch \(startEpoch + 1)" : "") + "\n")
    }

    package func batchEnded(epoch: Int, step: Int, stepsPerEpoch: Int, loss: Double, accuracy: Double, imagesPerSecond: Double) {
        guard interactive else { return }
        let now = ProcessInfo.processInfo.systemUptime
        if step == 1 { epochStarted = now }
        guard now - lastDraw > 0.2 || step == stepsPerEpoch else { return }
        lastDraw = now
        let width = 30, filled = width * step / max(stepsPerEpoch, 1)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let eta = step > 1 ? (now - epochStarted) / Double(step - 1) * Double(stepsPerEpoch - step) : 0
        write("\r\u{1B}[2Kepoch \(epoch + 1)/\(epochs) " + bar
              + String(format: " %d/%d loss %.4f acc %.3f %.0f img/s ETA %ds", step, stepsPerEpoch, loss, accuracy, imagesPerSecond, Int(eta)))
    }

    package func epochEnded(_ m: EpochMetrics, history: [[String: Double]]) {
        var line = String(format: "epoch %d/%d  loss %.4f  accuracy %.4f", m.epoch + 1, epochs, m.loss, m.accuracy)
        if let v = m.validation { line += String(format: "  val_loss %.4f  val_accuracy %.4f", v.loss, v.accuracy) }
        line += String(format: "  lr %.3g  %.0f img/s  %.1fs", m.learningRate, m.imagesPerSecond, m.seconds)
        write((interactive ? "\r\u{1B}[2K" : "") + line + "\n")
    }

    package func fitEnded(test: EvaluationResult?) {
        if let test {
            write(String(format: "test: loss %.4f  accuracy %.4f  top-5 %.4f  (%d samples)\n", test.loss, test.accuracy, test.top5Accuracy, test.samples))
        }
    }
}
