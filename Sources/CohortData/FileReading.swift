import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads: raw bytes, or gunzipped bytes through zlib. Errors name the file.
enum FileReading {
    /// Refuse files (or decompressed streams) larger than this: a hostile file must not exhaust memory.
    static let maxBytes = 2 << 30

    /// Reads `path` completely. Files ending in `.gz` are decompressed.
    static func read(_ path: String) throws -> [UInt8] {
        path.hasSuffix(".gz") ? try readGzip(path) : try readRaw(path)
    }

    /// Reads a plain file with one `read` loop sized by `fstat`.
    static func readRaw(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DataError.unreadable(path: path, reason: errnoString()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DataError.unreadable(path: path, reason: errnoString()) }
        let size = Int(info.st_size)
        guard size <= maxBytes else { throw DataError.unreadable(path: path, reason: "file is \(size) bytes, above \(maxBytes)") }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        try bytes.withUnsafeMutableBytes { raw in
            while done < size {
                let n = Glibc.read(fd, raw.baseAddress! + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DataError.unreadable(path: path, reason: errnoString())
                }
                if n == 0 { break }
                done += n
            }
        }
        if done < size { bytes.removeSubrange(done...) }
        return bytes
    }

    /// Reads and decompresses a gzip file with zlib's `gzread`.
    static func readGzip(_ path: String) throws -> [UInt8] {
        guard let gz = gzopen(path, "rb") else { throw DataError.unreadable(path: path, reason: errnoString()) }
        defer { gzclose(gz) }
        var bytes: [UInt8] = []
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = buffer.withUnsafeMutableBytes { gzread(gz, $0.baseAddress, UInt32(chunk)) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(gz, &code).map { String(cString: $0) } ?? "zlib error \(code)"
                throw DataError.unreadable(path: path, reason: "gzip: \(message)")
            }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<Int(n)])
            guard bytes.count <= maxBytes else {
                throw DataError.unreadable(path: path, reason: "decompressed size above \(maxBytes) bytes")
            }
        }
        return bytes
    }

    static func errnoString() -> String { String(cString: strerror(errno)) }
}
