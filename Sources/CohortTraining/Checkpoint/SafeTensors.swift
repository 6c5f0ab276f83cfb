import Foundation

/// The safetensors file format (as read by Python's `safetensors` and numpy): an 8-byte
/// little-endian header length, a JSON header mapping each tensor name to
/// `{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}` (offsets relative to the data
/// section) plus a `__metadata__` map of strings, then the raw little-endian data.
package enum SafeTensors {
    /// A tensor to write: its name, shape and float32 values.
    package struct Entry {
        package var name: String
        package var shape: [Int]
        package var values: UnsafeBufferPointer<Float>
        package init(name: String, shape: [Int], values: UnsafeBufferPointer<Float>) {
            (self.name, self.shape, self.values) = (name, shape, values)
        }
    }

    /// A tensor found in a file: its dtype, shape and the byte range of its data within the file.
    package struct Located: Equatable {
        package var dtype: String
        package var shape: [Int]
        package var byteRange: Range<Int>
    }

    /// Bytes per element of each safetensors dtype (Cohort writes and reads F32; the others are
    /// recognised so that a plain state dict's integer counters can be skipped by name).
    static let elementBytes: [String: Int] = [
        "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "F8_E4M3": 1, "F8_E5M2": 1,
        "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1,
    ]

    /// Largest header accepted (a hostile file cannot make us allocate more).
    static let maximumHeaderBytes = 100 << 20

    /// Serializes the header for `entries` in order (no `__metadata__` when `metadata` is empty);
    /// returns it padded to 8 bytes and the data size.
    static func header(entries: [Entry], metadata: [String: String]) throws -> (bytes: [UInt8], dataBytes: Int) {
        var object: [String: Any] = metadata.isEmpty ? [:] : ["__metadata__": metadata]
        var offset = 0
        for entry in entries {
            let size = entry.values.count * 4
            object[entry.name] = ["dtype": "F32", "shape": entry.shape, "data_offsets": [offset, offset + size]]
            offset += size
        }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        while bytes.count % 8 != 0 { bytes.append(0x20) }
        return (bytes, offset)
    }

    /// Writes `entries` and `metadata` to an open file descriptor.
    static func write(entries: [Entry], metadata: [String: String], to sink: FileSink) throws {
        let (header, _) = try header(entries: entries, metadata: metadata)
        var length = UInt64(header.count).littleEndian
        try withUnsafeBytes(of: &length) { try sink.write($0) }
        try header.withUnsafeBytes { try sink.write($0) }
        for entry in entries { try sink.write(UnsafeRawBufferPointer(entry.values)) }
    }

    /// Parses and validates the header of the file at `path` (size `fileSize`) without reading tensor data.
    static func readHeader(path: String, source: FileSource) throws -> (tensors: [String: Located], metadata: [String: String]) {
        func corrupt(_ why: String) -> CheckpointError { .corrupt(path: path, reason: why) }
        guard source.size >= 8 else { throw corrupt("file is \(source.size) bytes, shorter than the 8-byte header length") }
        var lengthBytes = [UInt8](repeating: 0, count: 8)
        try lengthBytes.withUnsafeMutableBytes { try source.read(into: $0, at: 0) }
        let length = lengthBytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard length <= UInt64(maximumHeaderBytes), Int(length) <= source.size - 8 else {
            throw corrupt("header length \(length) exceeds the file size \(source.size) (truncated or not a safetensors file)")
        }
        var headerBytes = [UInt8](repeating: 0, count: Int(length))
        try headerBytes.withUnsafeMutableBytes { try source.read(into: $0, at: 8) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any] else {
            throw corrupt("header is not a JSON object")
        }
        let dataStart = 8 + Int(length), dataSize = source.size - dataStart
        var metadata: [String: String] = [:]
        var tensors: [String: Located] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                guard let map = value as? [String: String] else { throw corrupt("__metadata__ is not a map of strings") }
                metadata = map
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw corrupt("tensor '\(name)' has a malformed header entry")
            }
            guard let width = elementBytes[dtype] else { throw corrupt("tensor '\(name)' has the unknown dtype \(dtype)") }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize else {
                throw corrupt("tensor '\(name)' data offsets \(offsets) fall outside the \(dataSize)-byte data section (truncated file?)")
            }
            let elements = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            guard elements != Int.max, elements * width == offsets[1] - offsets[0] else {
                throw corrupt("tensor '\(name)' shape \(shape) does not match its \(offsets[1] - offsets[0]) data bytes")
            }
            tensors[name] = Located(dtype: dtype, shape: shape, byteRange: (dataStart + offsets[0])..<(dataStart + offsets[1]))
        }
        return (tensors, metadata)
    }
}
