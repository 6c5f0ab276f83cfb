import Foundation

/// Appends one JSON object per epoch to a JSON-lines file (`--log`) and, with `stepInterval`, one
/// per that many global steps (`"type": "step"`, the fields of `StepProgress.record`). Epoch records
/// have no `type` key; a run stopped mid-epoch ends with `"type": "partial_epoch"`, the unfinished
/// epoch's metrics so far.
package final class MetricsLog: TrainingCallback {
    package let path: String
    package let stepInterval: Int?

    package init(path: String, stepInterval: Int? = nil) {
        self.path = path
        self.stepInterval = stepInterval
    }

    package func batchEnded(_ progress: StepProgress) {
        guard let stepInterval, progress.globalStep % stepInterval == 0 else { return }
        append(progress.record, what: "step \(progress.globalStep)")
    }

    package func fitStarted(epochs: Int, stepsPerEpoch: Int, startEpoch: Int, startGlobalStep: Int) {
        // A fresh run starts a fresh log; a resumed one keeps appending.
        if startGlobalStep == 0 { try? Data().write(to: URL(fileURLWithPath: path)) }
    }

    package func epochEnded(_ metrics: EpochMetrics, history: [[String: Double]]) {
        var record: [String: Any] = metrics.record
        record["epoch"] = metrics.epoch + 1
        record["step"] = metrics.globalStep
        append(record, what: "epoch \(metrics.epoch + 1)")
    }

    package func stoppedMidEpoch(_ partial: EpochMetrics, history: [[String: Double]]) {
        var record: [String: Any] = partial.record
        record["type"] = "partial_epoch"
        append(record, what: "the partial epoch \(partial.epoch + 1)")
    }

    private func append(_ record: [String: Any], what: String) {
        guard var line = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) else { return }
        line.append(0x0A)
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(line)
            try? handle.close()
        } else if !FileManager.default.createFile(atPath: path, contents: line) {
            FileHandle.standardError.write(Data("warning: cannot write the metrics log \(path); \(what) is not recorded there\n".utf8))
        }
    }
}
