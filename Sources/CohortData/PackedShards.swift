import Foundation

/// The shard files of one split of a packed dataset, each opened once (on first use) and kept open, read with
/// positioned reads (`pread`), so any number of loader threads share one descriptor per shard and a rank opens at
/// most as many files per run as the split has shards.
final class PackedShards: @unchecked Sendable {
    /// Absolute shard paths.
    let paths: [String]
    private var descriptors: [Int32]
    private let lock = NSLock()

    init(paths: [String]) {
        self.paths = paths
        descriptors = [Int32](repeating: -1, count: paths.count)
    }

    deinit { for fd in descriptors where fd >= 0 { close(fd) } }

    /// Shards opened so far.
    var openedCount: Int {
        lock.lock(); defer { lock.unlock() }
        return descriptors.filter { $0 >= 0 }.count
    }

    private func descriptor(_ shard: Int) throws -> Int32 {
        lock.lock(); defer { lock.unlock() }
        if descriptors[shard] >= 0 { return descriptors[shard] }
        let fd = open(paths[shard], O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DataError.unreadable(path: paths[shard], reason: FileReading.errnoString()) }
        descriptors[shard] = fd
        return fd
    }

    /// Reads `out.count` bytes at `offset` of shard `shard`; returns how many it got (fewer only at the end of the file).
    func read(shard: Int, offset: Int, into out: UnsafeMutableRawBufferPointer) throws -> Int {
        let fd = try descriptor(shard)
        var done = 0
        while done < out.count {
            let n = pread(fd, out.baseAddress! + done, out.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw DataError.unreadable(path: paths[shard], reason: FileReading.errnoString())
            }
            if n == 0 { break }
            done += n
        }
        return done
    }
}
