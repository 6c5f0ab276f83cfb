import Foundation

/// Fresh directories for a test's checkpoints and outputs, all under one folder of this test
/// process's that is removed when the process exits, so repeated test runs leave nothing behind.
package enum TemporaryDirectory {
    /// `cohort-tests-<pid>` under the system's temporary directory, made on first use.
    private static let root: String = {
        let path = NSTemporaryDirectory() + "cohort-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TemporaryDirectory.root) }
        return path
    }()

    /// A new empty directory whose name starts with `prefix`.
    package static func make(_ prefix: String = "test") -> String {
        let path = root + "/" + prefix + "-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
