import CohortRandom
import Foundation

/// Writes TensorBoard scalar event files (`--tensorboard DIR`): after every epoch the metrics-log
/// values under `epoch/<name>` (loss, accuracy, val_loss, val_accuracy, lr, images_per_sec, seconds)
/// at the global step, and with `batchInterval` every that many steps `batch/loss` and
/// `batch/accuracy`. One `events.out.tfevents.<time>.<host>.cohort` file per run: TFRecord-framed
/// `tensorflow.Event` protocol buffers, flushed as written, so TensorBoard shows a run live.
package final class TensorBoardLog: TrainingCallback {
    package let path: String
    private let batchInterval: Int?
    private let handle: FileHandle

    package init(directory: String, batchInterval: Int? = nil) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let now = Date().timeIntervalSince1970
        path = "\(directory)/events.out.tfevents.\(Int(now)).\(ProcessInfo.processInfo.hostName).cohort"
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw TrainingError.invalidConfiguration("--tensorboard: cannot create \(path)")
        }
        self.handle = handle
        self.batchInterval = batchInterval
        var event = ProtobufMessage()
        event.double(field: 1, Date().timeIntervalSince1970)
        event.string(field: 3, "brain.Event:2")
        write(event)
    }

    deinit { try? handle.close() }

    package func batchEnded(_ progress: StepProgress) {
        guard let batchInterval, progress.globalStep % batchInterval == 0 else { return }
        scalars([("batch/loss", progress.loss), ("batch/accuracy", progress.accuracy)], step: progress.globalStep)
    }

    package func epochEnded(_ metrics: EpochMetrics, history: [[String: Double]]) {
        scalars(metrics.record.sorted { $0.key < $1.key }.map { ("epoch/" + $0.key, $0.value) }, step: metrics.globalStep)
    }

    /// One event holding `values` as simple scalars at `step`.
    private func scalars(_ values: [(tag: String, value: Double)], step: Int) {
        var summary = ProtobufMessage()
        for (tag, value) in values {
            var entry = ProtobufMessage()
            entry.string(field: 1, tag)
            entry.float(field: 2, Float(value))
            summary.message(field: 1, entry)
        }
        var event = ProtobufMessage()
        event.double(field: 1, Date().timeIntervalSince1970)
        event.varint(field: 2, UInt64(step))
        event.message(field: 5, summary)
        write(event)
    }

    /// TFRecord framing: length, masked CRC of the length, data, masked CRC of the data (little endian).
    private func write(_ event: ProtobufMessage) {
        var record = Data()
        let length = withUnsafeBytes(of: UInt64(event.bytes.count).littleEndian) { Array($0) }
        record.append(contentsOf: length)
        withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { record.append(contentsOf: $0) }
        record.append(contentsOf: event.bytes)
        withUnsafeBytes(of: CRC32C.masked(event.bytes).littleEndian) { record.append(contentsOf: $0) }
        handle.write(record)
    }
}

/// The few protocol-buffer encodings an Event needs.
struct ProtobufMessage {
    private(set) var bytes: [UInt8] = []

    mutating func varint(field: Int, _ value: UInt64) {
        key(field, wireType: 0)
        appendVarint(value)
    }

    mutating func double(field: Int, _ value: Double) {
        key(field, wireType: 1)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func float(field: Int, _ value: Float) {
        key(field, wireType: 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func string(field: Int, _ value: String) { lengthDelimited(field, Array(value.utf8)) }

    mutating func message(field: Int, _ value: ProtobufMessage) { lengthDelimited(field, value.bytes) }

    private mutating func lengthDelimited(_ field: Int, _ payload: [UInt8]) {
        key(field, wireType: 2)
        appendVarint(UInt64(payload.count))
        bytes += payload
    }

    private mutating func key(_ field: Int, wireType: UInt64) { appendVarint(UInt64(field) << 3 | wireType) }

    private mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }
}
