import CohortLaunch
import Foundation

/// What one attempt printed (its last lines, for `AttemptClassifier`) and when a fault line first
/// appeared (from then on the job gets `Launcher.faultGrace` seconds to end by itself).
final class AttemptWatch: @unchecked Sendable {
    /// Lines kept; the fault signatures come at the end of a job's output.
    static let keptLines = 5000
    private let lock = NSLock()
    private var kept: [String] = []
    private var firstFault: Date?

    func record(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        kept.append(line)
        if kept.count > Self.keptLines { kept.removeFirst(kept.count - Self.keptLines) }
        if firstFault == nil && AttemptClassifier.isFaultLine(line) { firstFault = Date() }
    }

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return kept
    }

    var faultSeen: Date? {
        lock.lock()
        defer { lock.unlock() }
        return firstFault
    }
}
