import Foundation

/// One attempt of a launch as a line of `CHECKPOINT_DIR/launch.jsonl` (read by `cohort status`).
package struct LaunchRecord: Codable, Equatable, Sendable {
    /// 1-based attempt number.
    package var attempt: Int
    /// The hosts the attempt ran on, in rank order.
    package var hosts: [String]
    /// Its world size.
    package var ranks: Int
    /// Unix seconds at start and end.
    package var started: Int
    package var ended: Int
    /// The launched job's exit status.
    package var status: Int32
    /// `completed`, `fault`, `user-error` or `signalled` (`AttemptOutcome.name`).
    package var outcome: String
    /// Why it ended, one line; empty when completed.
    package var cause: String
    /// Hosts found at fault.
    package var failedHosts: [String]

    package init(attempt: Int, mapping: RankMapping, started: Int, ended: Int, status: Int32, outcome: AttemptOutcome) {
        self.attempt = attempt
        hosts = mapping.hosts
        ranks = mapping.ranks
        self.started = started
        self.ended = ended
        self.status = status
        self.outcome = outcome.name
        cause = outcome.cause
        failedHosts = outcome.failedHosts
    }

    /// The record as one JSON line (sorted keys), newline included.
    package func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Appends the record to `path` (one `write` with O_APPEND), creating the file if needed.
    package func append(to path: String) throws {
        let bytes = Array(try jsonLine().utf8)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw LaunchError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard write(fd, bytes, bytes.count) == bytes.count else {
            throw LaunchError("cannot append to \(path): \(String(cString: strerror(errno)))")
        }
    }
}
