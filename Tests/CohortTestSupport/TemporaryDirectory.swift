import Foundation

/// Fresh directories for a test's checkpoints and outputs.
package enum TemporaryDirectory {
    /// A new empty directory under the system's temporary directory.
    package static func make() -> String {
        let path = NSTemporaryDirectory() + "cohort-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
