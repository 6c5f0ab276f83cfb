import Foundation

/// Where a run in a checkpoint directory stands, read from its files alone (`cohort status DIR`):
/// the newest valid checkpoint's position, every checkpoint file (invalid ones with the reason),
/// the last epoch's metrics, the newest progress record of the metrics log, the launcher's
/// attempts (`launch.jsonl`) and an estimate of the time left.
package struct RunStatus {
    /// One checkpoint file of the directory.
    package struct File {
        package var name: String
        package var bytes: Int
        package var modified: Date
        /// The state, or why the file does not load.
        package var state: Result<CheckpointState, any Error>
    }

    package var directory: String
    package var files: [File]
    /// The valid checkpoint `--resume auto` would pick.
    package var newest: (name: String, state: CheckpointState)?
    /// The last `"type": "step"` record of metrics.jsonl, if the run logs steps (`--log-every`).
    package var lastStepRecord: [String: Any]?
    /// One record per launcher attempt (launch.jsonl), oldest first.
    package var attempts: [[String: Any]]

    /// Reads `directory`; an unreadable directory is an error naming it.
    package init(directory: String) throws {
        self.directory = directory
        let manager = FileManager.default
        let names: [String]
        do { names = try manager.contentsOfDirectory(atPath: directory) } catch {
            throw TrainingError.invalidConfiguration("cannot read the checkpoint directory \(directory): \(error.localizedDescription)")
        }
        files = names.filter { $0.hasSuffix(".safetensors") }.sorted().map { name in
            let path = directory + "/" + name
            let attributes = (try? manager.attributesOfItem(atPath: path)) ?? [:]
            return File(name: name, bytes: (attributes[.size] as? Int) ?? 0, modified: (attributes[.modificationDate] as? Date) ?? .distantPast,
                        state: Result { try CheckpointStore.inspect(path: path) })
        }
        let chosen = CheckpointStore(directory: directory).newestValid()
        newest = chosen.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0.state) }
        lastStepRecord = Self.records(directory + "/metrics.jsonl").last { $0["type"] as? String == "step" }
        attempts = Self.records(directory + "/launch.jsonl")
    }

    private static func records(_ path: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Seconds of training left, from the last epoch's duration and the position (nil when unknown).
    package var secondsLeft: Double? {
        guard let state = newest?.state, let epochs = state.epochs, let steps = state.stepsPerEpoch, steps > 0,
              let seconds = state.history.last?["seconds"] else { return nil }
        let stepsLeft = (epochs - state.epoch) * steps - state.stepInEpoch
        return max(0, Double(stepsLeft)) * seconds / Double(steps)
    }

    /// The report `cohort status` prints.
    package var report: String {
        var lines = ["run: \(directory)"]
        if let (name, s) = newest {
            let epochs = s.epochs.map { "/\($0)" } ?? ""
            let finished = s.epochs.map { s.epoch >= $0 } ?? false
            lines.append("model: \(s.model), \(s.classes) classes, global batch \(s.globalBatch), seed \(s.seed), optimizer \(s.optimizer)")
            lines.append(finished
                ? "position: finished: \(s.epoch) epochs, \(s.globalStep) steps (\(name), saved by \(s.worldSize) rank(s))"
                : "position: epoch \(s.epoch + 1)\(epochs), step \(s.stepInEpoch)\(s.stepsPerEpoch.map { "/\($0)" } ?? "") of it, global step \(s.globalStep) (\(name), saved by \(s.worldSize) rank(s))")
            if let last = s.history.last {
                var metrics = String(format: "last epoch: %d  loss %.4f  accuracy %.4f", Int(last["epoch"] ?? 0), last["loss"] ?? .nan, last["accuracy"] ?? .nan)
                if let v = last["val_accuracy"] { metrics += String(format: "  val_accuracy %.4f", v) }
                if let seconds = last["seconds"] { metrics += String(format: "  %.1f s", seconds) }
                lines.append(metrics)
            }
            if !finished, let left = secondsLeft { lines.append("ETA: \(ProgressReporter.duration(left)) of training left at the last epoch's speed") }
        } else {
            lines.append("position: no valid checkpoint yet")
        }
        if let record = lastStepRecord, let step = record["global_step"] as? Int {
            lines.append("last logged step: global step \(step), loss \(String(format: "%.4f", record["loss"] as? Double ?? .nan)), "
                         + "\(String(format: "%.1f", record["images_per_sec"] as? Double ?? 0)) img/s")
        }
        lines.append("checkpoints:")
        let formatter = ISO8601DateFormatter()
        for file in files {
            let what: String
            switch file.state {
            case let .success(s): what = "global step \(s.globalStep), epoch \(s.epoch + (s.stepInEpoch > 0 ? 1 : 0)) step \(s.stepInEpoch)"
            case let .failure(error): what = "INVALID: \(error)"
            }
            lines.append("  \(file.name)  \(String(format: "%.1f", Double(file.bytes) / 1_048_576)) MB  \(formatter.string(from: file.modified))  \(what)")
        }
        if !attempts.isEmpty {
            let restarts = attempts.count - 1
            lines.append("launcher: \(attempts.count) attempt(s), \(restarts) restart(s)")
            for attempt in attempts {
                let hosts = (attempt["hosts"] as? [String])?.count ?? 0
                let cause = (attempt["cause"] as? String).flatMap { $0.isEmpty ? nil : $0 }
                lines.append("  attempt \(attempt["attempt"] ?? "?"): \(attempt["outcome"] ?? "running") on \(hosts) host(s), \(attempt["ranks"] ?? "?") rank(s)"
                             + (cause.map { ": \($0)" } ?? ""))
            }
        }
        return lines.joined(separator: "\n")
    }
}
