import Foundation

/// Progress on rank 0: on a terminal a live bar per epoch (step, loss, accuracy, img/s, ETA);
/// otherwise (CI, Slurm logs, nohup) a progress line every `logSeconds` — epoch, step/total, loss,
/// img/s, the ETA of the epoch and of the run — and one line per epoch.
package final class ProgressReporter: TrainingCallback {
    package let interactive: Bool
    /// Seconds between progress lines when not interactive.
    package let logSeconds: Double
    private let write: (String) -> Void
    private var epochs = 0
    private var lastDraw = 0.0
    private var lastLine: Double

    package init(interactive: Bool = Console.isInteractive, logSeconds: Double = 30, write: @escaping (String) -> Void = Console.write) {
        self.interactive = interactive
        self.logSeconds = logSeconds
        self.write = write
        lastLine = ProcessInfo.processInfo.systemUptime
    }

    package func fitStarted(epochs: Int, stepsPerEpoch: Int, startEpoch: Int, startGlobalStep: Int) {
        self.epochs = epochs
        write("training: \(epochs) epochs × \(stepsPerEpoch) steps" + (startGlobalStep > 0 ? ", resuming at epoch \(startEpoch + 1), global step \(startGlobalStep)" : "") + "\n")
    }

    package func batchEnded(_ p: StepProgress) {
        let now = ProcessInfo.processInfo.systemUptime
        if interactive {
            guard now - lastDraw > 0.2 || p.step == p.stepsPerEpoch else { return }
            lastDraw = now
            let width = 30, filled = width * p.step / max(p.stepsPerEpoch, 1)
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            write("\r\u{1B}[2Kepoch \(p.epoch + 1)/\(epochs) " + bar
                  + String(format: " %d/%d loss %.4f acc %.3f %.0f img/s ETA %ds", p.step, p.stepsPerEpoch, p.loss, p.accuracy, p.imagesPerSecond, Int(p.epochETA)))
        } else if now - lastLine >= logSeconds {
            lastLine = now
            write(String(format: "progress: epoch %d/%d step %d/%d (global %d) loss %.4f %.1f img/s ETA epoch %@ run %@\n",
                         p.epoch + 1, epochs, p.step, p.stepsPerEpoch, p.globalStep, p.loss, p.imagesPerSecond,
                         Self.duration(p.epochETA), Self.duration(p.runETA)))
        }
    }

    /// `1h02m`, `4m05s` or `12s`.
    package static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, s % 3600 / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
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
