import Foundation

/// Appends one JSON object per epoch to a JSON-lines file (`--log`).
package final class MetricsLog: TrainingCallback {
    package let path: String

    package init(path: String) { self.path = path }

    package func fitStarted(epochs: Int, stepsPerEpoch: Int, startEpoch: Int) {
        // A fresh run starts a fresh log; a resumed one keeps appending.
        if startEpoch == 0 { try? Data().write(to: URL(fileURLWithPath: path)) }
    }

    package func epochEnded(_ metrics: EpochMetrics, history: [[String: Double]]) {
        var record: [String: Any] = metrics.record
        record["epoch"] = metrics.epoch + 1
        record["step"] = metrics.globalStep
        guard var line = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) else { return }
        line.append(0x0A)
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(line)
            try? handle.close()
        } else if !FileManager.default.createFile(atPath: path, contents: line) {
            FileHandle.standardError.write(Data("warning: cannot write the metrics log \(path); epoch \(metrics.epoch + 1) is not recorded there\n".utf8))
        }
    }
}
