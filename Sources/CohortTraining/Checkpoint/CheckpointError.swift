#if canImport(Glibc)
import Glibc
#endif

/// Why a checkpoint could not be written or read; every case names the file.
package enum CheckpointError: Error, CustomStringConvertible {
    case io(path: String, operation: String, errno: Int32)
    case corrupt(path: String, reason: String)
    case mismatch(path: String, reason: String)
    case noneFound(directory: String)

    package var description: String {
        switch self {
        case let .io(path, operation, code):
            return "checkpoint \(path): \(operation) failed: \(String(cString: strerror(code)))"
        case let .corrupt(path, reason):
            return "checkpoint \(path) is unreadable: \(reason)"
        case let .mismatch(path, reason):
            return "checkpoint \(path) does not fit this run: \(reason)"
        case let .noneFound(directory):
            return "no valid checkpoint in \(directory)"
        }
    }
}
