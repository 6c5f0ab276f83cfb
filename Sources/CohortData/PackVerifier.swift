import Foundation

/// Checks a packed directory against its index (`cohort pack --verify`): every shard present at its recorded size,
/// every sample's tar header announcing its length, every sample's bytes matching their CRC-32C.
package enum PackVerifier {
    /// What `verify` found.
    package struct Report: Sendable {
        package var samples = 0
        package var shards = 0
        package var bytes = 0
        /// One line per problem, naming the shard (and the sample and its original path when it is one sample's).
        package var problems: [String] = []
    }

    /// Verifies `directory`; an unreadable or inconsistent index throws, damaged shards are reported in `problems`.
    package static func verify(directory: String) throws -> Report {
        let index = try PackIndex.read(from: directory)
        var report = Report()
        for name in ["train", "val", "test"] {
            guard let split = index.splits[name] else { continue }
            for (shard, expected) in zip(split.shards, split.shardBytes) {
                let path = directory + "/" + shard
                report.shards += 1
                report.bytes += expected
                var info = stat()
                if stat(path, &info) != 0 {
                    report.problems.append("\(path): missing (\(FileReading.errnoString()))")
                } else if Int(info.st_size) != expected {
                    report.problems.append("\(path): \(info.st_size) bytes where the index says \(expected)\(Int(info.st_size) < expected ? " (truncated)" : "")")
                }
            }
            let data = PackedDataset(index: index, split: name, directory: directory, imageShape: ImageShape(channels: 3, height: 1, width: 1))
            report.samples += data.count
            report.problems += damaged(data, checkHeaders: true).map(\.1)
        }
        return report
    }

    /// The samples of `data` whose bytes cannot be read whole or fail their checksum (and, with `checkHeaders`, whose
    /// tar header does not announce their length), with a message naming shard, sample and original path. All cores.
    static func damaged(_ data: PackedDataset, checkHeaders: Bool = false) -> [(Int, String)] {
        let results = UnsafeMutableBufferPointer<String?>.allocate(capacity: max(1, data.count))
        results.initialize(repeating: nil)
        defer { results.deinitialize().deallocate() }
        let slots = Slots(results)
        DispatchQueue.concurrentPerform(iterations: data.count) { i in
            do {
                if checkHeaders { try header(data, i) }
                _ = try data.bytes(i)
            } catch {
                slots.buffer[i] = "\(error)"
            }
        }
        return (0..<data.count).compactMap { i in results[i].map { (i, $0) } }
    }

    /// Checks that the 512 bytes before sample `i`'s data are a ustar header announcing its length.
    private static func header(_ data: PackedDataset, _ i: Int) throws {
        let (shardPath, sample, source) = data.location(i)
        var block = [UInt8](repeating: 0, count: TarFormat.block)
        let start = data.offset[i] - TarFormat.block
        guard start >= 0 else {
            throw DataError.damagedSample(shard: shardPath, sample: sample, source: source, reason: "offset \(data.offset[i]) leaves no room for a tar header")
        }
        let got = try block.withUnsafeMutableBytes { try data.shards.read(shard: Int(data.shard[i]), offset: start, into: $0) }
        guard got == TarFormat.block else {
            throw DataError.damagedSample(shard: shardPath, sample: sample, source: source, reason: "shard truncated before the sample's tar header")
        }
        guard let parsed = block.withUnsafeBytes({ TarFormat.parse($0) }) else {
            throw DataError.damagedSample(shard: shardPath, sample: sample, source: source, reason: "no valid tar header before the data (bad header checksum)")
        }
        guard parsed.size == Int(data.length[i]) else {
            throw DataError.damagedSample(shard: shardPath, sample: sample, source: source,
                                          reason: "tar header '\(parsed.name)' announces \(parsed.size) bytes, the index \(data.length[i])")
        }
    }
}

/// Distinct-index writes from `concurrentPerform` iterations.
private struct Slots: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<String?>
    init(_ buffer: UnsafeMutableBufferPointer<String?>) { self.buffer = buffer }
}
