/// A 16-bit float format gradients can travel in (`--allreduce-dtype`): half the bytes of float32
/// on the wire; each rank's sum still adds in float32 (`Communicator.allreduceSum(_:format:)`).
package enum HalfPrecision: String, Sendable, CaseIterable {
    /// bfloat16: float32's exponent range, 8 bits of mantissa.
    case bf16
    /// IEEE binary16: 11 bits of mantissa, values up to 65504.
    case fp16

    /// `value` rounded to nearest even in this format.
    package func encode(_ value: Float) -> UInt16 {
        switch self {
        case .bf16:
            let bits = value.bitPattern
            if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x40 }
            return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
        case .fp16:
            return Float16(value).bitPattern
        }
    }

    /// The float32 value of an encoded `bits`.
    package func decode(_ bits: UInt16) -> Float {
        switch self {
        case .bf16: return Float(bitPattern: UInt32(bits) << 16)
        case .fp16: return Float(Float16(bitPattern: bits))
        }
    }
}
