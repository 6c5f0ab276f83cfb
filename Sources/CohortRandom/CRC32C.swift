/// CRC-32C (Castagnoli): TFRecord framing (with TensorFlow's masking) and the per-sample checksums of packed
/// datasets. `checksum(_:)` over raw memory runs slicing-by-8 (eight table lookups per 8 bytes).
package enum CRC32C {
    /// `tables[k][b]`: the CRC of byte `b` followed by `k` zero bytes (slicing-by-8); `tables[0]` is the classic table.
    private static let tables: [[UInt32]] = {
        var t = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            t[0][index] = crc
        }
        for k in 1..<8 {
            for index in 0..<256 { t[k][index] = (t[k - 1][index] >> 8) ^ t[0][Int(t[k - 1][index] & 0xFF)] }
        }
        return t
    }()
    private static let flat: [UInt32] = tables.flatMap { $0 }

    package static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        let table = tables[0]
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// The CRC-32C of `bytes` (equal to the `Sequence` form), eight bytes per step.
    package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        guard let base = bytes.baseAddress else { return 0 }
        let n = bytes.count
        return flat.withUnsafeBufferPointer { t in
            let t0 = t.baseAddress!
            var i = 0
            while i &+ 8 <= n {
                let lo = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt32.self)) ^ crc
                let hi = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i &+ 4, as: UInt32.self))
                crc = t0[7 &* 256 &+ Int(lo & 0xFF)] ^ t0[6 &* 256 &+ Int((lo >> 8) & 0xFF)]
                    ^ t0[5 &* 256 &+ Int((lo >> 16) & 0xFF)] ^ t0[4 &* 256 &+ Int(lo >> 24)]
                    ^ t0[3 &* 256 &+ Int(hi & 0xFF)] ^ t0[2 &* 256 &+ Int((hi >> 8) & 0xFF)]
                    ^ t0[1 &* 256 &+ Int((hi >> 16) & 0xFF)] ^ t0[Int(hi >> 24)]
                i &+= 8
            }
            while i < n {
                crc = t0[Int((crc ^ UInt32(base.load(fromByteOffset: i, as: UInt8.self))) & 0xFF)] ^ (crc >> 8)
                i &+= 1
            }
            return crc ^ 0xFFFF_FFFF
        }
    }

    /// TFRecord's masked CRC: rotate right by 15 and add a constant.
    package static func masked<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
