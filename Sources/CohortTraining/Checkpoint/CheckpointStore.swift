import CohortCore
import CZlib
import Foundation

/// Crash-safe checkpoint files in one directory: `last.safetensors`, `best.safetensors`, the
/// last `keep` `epoch-NNNN.safetensors` and the last `keep` `step-NNNNNNNN.safetensors`.
///
/// Writing: `NAME.tmp` → fsync → rename → fsync the directory, so a crash at any instant leaves
/// the previous file intact. Extra names for the same content are hard links made the same way.
/// Reading validates the header, shapes against the model, offsets against the file size and a
/// CRC-32 of the data before anything is used.
package struct CheckpointStore {
    package let directory: String
    package let keep: Int

    package init(directory: String, keep: Int = 3) {
        self.directory = directory
        self.keep = keep
    }

    package func path(_ name: String) -> String { directory + "/" + name + ".safetensors" }
    package static func epochName(_ epoch: Int) -> String { String(format: "epoch-%04d", epoch) }
    /// The name of a checkpoint taken after `globalStep` steps (`--checkpoint-every`, `--checkpoint-minutes`).
    package static func stepName(_ globalStep: Int) -> String { String(format: "step-%08d", globalStep) }

    /// One tensor of a checkpoint: its name, shape and values.
    typealias Entry = (name: String, shape: [Int], values: UnsafeMutableBufferPointer<Float>)

    /// Tensors of a model and optimizer in checkpoint order: parameters, buffers, optimizer slots.
    static func entries(arena: ParameterArena, optimizer: (any Optimizer)?) -> [Entry] {
        var result = (arena.trainable + arena.buffers).map { ($0.name, $0.parameter.shape.dims, $0.parameter.value.values) }
        for slot in optimizer?.slots ?? [] {
            for (name, p) in arena.trainable {
                result.append(("optimizer.\(slot.name).\(name)", p.shape.dims,
                               UnsafeMutableBufferPointer(rebasing: slot.values[p.offset..<(p.offset + p.count)])))
            }
        }
        return result
    }

    /// Writes `tensors` (in checkpoint order, e.g. a `CheckpointSnapshot`'s) and `state` under `names`
    /// (the first is written, the others linked to it).
    func save(state: CheckpointState, tensors: [Entry], names: [String]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var crc = crc32(0, nil, 0)
        for t in tensors {
            crc = t.values.withMemoryRebound(to: UInt8.self) { crc32(crc, $0.baseAddress, uInt($0.count)) }
        }
        let entries = tensors.map { SafeTensors.Entry(name: $0.name, shape: $0.shape, values: UnsafeBufferPointer($0.values)) }
        guard let first = names.first else { return }
        let temporary = path(first) + ".tmp"
        do {
            let sink = try FileSink(creating: temporary)
            try SafeTensors.write(entries: entries, metadata: try state.metadata(checksum: UInt32(crc)), to: sink)
            try sink.sync()
        }
        try rename(temporary, to: path(first))
        for name in names.dropFirst() {
            let link = path(name) + ".tmp"
            unlink(link)
            guard Foundation.link(path(first), link) == 0 else { throw CheckpointError.io(path: link, operation: "link", errno: errno) }
            try rename(link, to: path(name))
        }
        try syncDirectory(directory)
        try prune()
    }

    private func rename(_ from: String, to: String) throws {
        guard Foundation.rename(from, to) == 0 else { throw CheckpointError.io(path: to, operation: "rename", errno: errno) }
    }

    /// Removes all but the newest `keep` epoch files and the newest `keep` step files.
    private func prune() throws {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.filter { $0.hasSuffix(".safetensors") } ?? []
        for prefix in ["epoch-", "step-"] {
            for file in files.filter({ $0.hasPrefix(prefix) }).sorted().dropLast(max(keep, 1)) { unlink(directory + "/" + file) }
        }
    }

    /// Reads and validates a checkpoint's header and checksum; returns its state.
    package static func inspect(path: String) throws -> CheckpointState {
        let source = try FileSource(path: path)
        let header = try SafeTensors.readHeader(path: path, source: source)
        try verifyChecksum(path: path, source: source, tensors: header.tensors, expected: header.metadata["checksum"])
        return try CheckpointState(metadata: header.metadata, path: path)
    }

    /// Loads a checkpoint into `arena` (and `optimizer`), checking every name and shape against the model.
    package static func load(path: String, arena: ParameterArena, optimizer: (any Optimizer)?) throws -> CheckpointState {
        let source = try FileSource(path: path)
        let header = try SafeTensors.readHeader(path: path, source: source)
        try verifyChecksum(path: path, source: source, tensors: header.tensors, expected: header.metadata["checksum"])
        let state = try CheckpointState(metadata: header.metadata, path: path)
        var expected = Set(header.tensors.keys)
        for (name, shape, values) in entries(arena: arena, optimizer: optimizer) {
            guard let located = header.tensors[name] else {
                throw CheckpointError.mismatch(path: path, reason: "tensor '\(name)' is missing (saved from model '\(state.model)')")
            }
            guard located.shape == shape else {
                throw CheckpointError.mismatch(path: path, reason: "tensor '\(name)' has shape \(located.shape), the model needs \(shape)")
            }
            guard located.dtype == "F32" else { throw CheckpointError.corrupt(path: path, reason: "tensor '\(name)' has dtype \(located.dtype), expected F32") }
            try source.read(into: UnsafeMutableRawBufferPointer(values), at: located.byteRange.lowerBound)
            expected.remove(name)
        }
        let unexpected = expected.filter { optimizer != nil || !$0.hasPrefix("optimizer.") }
        if let extra = unexpected.sorted().first {
            throw CheckpointError.mismatch(path: path, reason: "tensor '\(extra)' is not part of this model (\(unexpected.count) unexpected tensors)")
        }
        return state
    }

    static func verifyChecksum(path: String, source: FileSource, tensors: [String: SafeTensors.Located], expected: String?) throws {
        guard let expected, let value = UInt32(expected, radix: 16) else {
            throw CheckpointError.corrupt(path: path, reason: "no checksum in __metadata__ (not a Cohort checkpoint)")
        }
        let ranges = tensors.values.map(\.byteRange).sorted { $0.lowerBound < $1.lowerBound }
        guard let start = ranges.first?.lowerBound else { return }
        let end = ranges.map(\.upperBound).max()!
        var crc = crc32(0, nil, 0)
        let chunkSize = 4 << 20
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }
        var offset = start
        while offset < end {
            let n = min(chunkSize, end - offset)
            let part = UnsafeMutableRawBufferPointer(rebasing: chunk[0..<n])
            try source.read(into: part, at: offset)
            crc = crc32(crc, part.baseAddress!.assumingMemoryBound(to: UInt8.self), uInt(n))
            offset += n
        }
        guard UInt32(crc) == value else {
            throw CheckpointError.corrupt(path: path, reason: "data checksum \(String(UInt32(crc), radix: 16)) differs from the recorded \(expected) (bit flip or partial write)")
        }
    }

    /// The newest checkpoint in the directory that validates (by global step), with the reasons others were skipped.
    package func newestValid() -> (path: String, state: CheckpointState)? {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.filter { $0.hasSuffix(".safetensors") } ?? []
        var best: (path: String, state: CheckpointState)?
        for file in files.sorted() {
            let full = directory + "/" + file
            guard let state = try? Self.inspect(path: full) else { continue }
            if best == nil || state.globalStep > best!.state.globalStep || (state.globalStep == best!.state.globalStep && file == "last.safetensors") {
                best = (full, state)
            }
        }
        return best
    }
}
