#if canImport(Glibc)
import Glibc
#endif

/// A file opened for writing through POSIX calls, so it can be fsynced before it is renamed.
final class FileSink {
    let path: String
    private let descriptor: Int32

    init(creating path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CheckpointError.io(path: path, operation: "create", errno: errno) }
    }

    deinit { close(descriptor) }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw CheckpointError.io(path: path, operation: "write", errno: errno) }
            done += n
        }
    }

    func sync() throws {
        guard fsync(descriptor) == 0 else { throw CheckpointError.io(path: path, operation: "fsync", errno: errno) }
    }
}

/// A file opened for positioned reads, with its size known up front.
final class FileSource {
    let path: String
    let size: Int
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CheckpointError.io(path: path, operation: "open", errno: errno) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            close(descriptor)
            throw CheckpointError.io(path: path, operation: "stat", errno: errno)
        }
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    /// Fills `buffer` from `offset`; a short file is an error naming it.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < buffer.count {
            let n = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw CheckpointError.corrupt(path: path, reason: "unexpected end of file at byte \(offset + done)") }
            done += n
        }
    }
}

/// Makes a completed rename durable by syncing its directory.
func syncDirectory(_ path: String) throws {
    let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { throw CheckpointError.io(path: path, operation: "open directory", errno: errno) }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else { throw CheckpointError.io(path: path, operation: "fsync directory", errno: errno) }
}
