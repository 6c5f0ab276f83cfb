import Foundation

/// A file written front to back with POSIX `write` (retrying short writes and EINTR); errors name the file.
final class ShardFile {
    let path: String
    private var fd: Int32
    /// Bytes written so far.
    private(set) var size = 0

    /// Creates (or truncates) `path`.
    init(creating path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw DataError.unwritable(path: path, reason: FileReading.errnoString()) }
    }

    deinit { close() }

    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    func append(_ raw: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < raw.count {
            let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw DataError.unwritable(path: path, reason: FileReading.errnoString())
            }
            done += n
        }
        size += raw.count
    }

    /// Appends `count` zero bytes.
    func appendZeros(_ count: Int) throws {
        guard count > 0 else { return }
        try append([UInt8](repeating: 0, count: count))
    }

    func sync() throws {
        guard fsync(fd) == 0 else { throw DataError.unwritable(path: path, reason: FileReading.errnoString()) }
    }

    func close() {
        if fd >= 0 { _ = Foundation.close(fd); fd = -1 }
    }

    /// Writes `bytes` to `path` through `path.tmp`, fsync and rename, then fsyncs `directory`.
    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws {
        let temporary = path + ".tmp"
        let file = try ShardFile(creating: temporary)
        try file.append(bytes)
        try file.sync()
        file.close()
        guard rename(temporary, path) == 0 else { throw DataError.unwritable(path: path, reason: FileReading.errnoString()) }
        let fd = open(directory, O_RDONLY)
        if fd >= 0 { _ = fsync(fd); Foundation.close(fd) }
    }
}
