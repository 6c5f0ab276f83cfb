/// 64-bit FNV-1a: a stable hash of bytes (Swift's `Hasher` is seeded per process), for configuration
/// hashes, replica checksums and per-layer salts.
package func fnv1a<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    return hash
}
