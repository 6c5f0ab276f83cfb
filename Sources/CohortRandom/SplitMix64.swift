#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cohort's one random generator: SplitMix64 (Steele, Lea, Flood 2014), tiny, fast and fully
/// specified, so a stream is the same on every platform and Swift version (the standard library's
/// `random(in:using:)` algorithms are not promised stable). Every draw — weights, sample order,
/// augmentation, dropout — comes from one of these, seeded explicitly, so a run is reproducible
/// from its seed.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    package var state: UInt64

    /// A generator whose stream starts after `state`.
    package init(state: UInt64) { self.state = state }

    /// The same generator, named for a seed.
    package init(seed: UInt64) { self.init(state: seed) }

    /// The SplitMix64 finalizer: a bijective 64-bit mix, also used to hash keys.
    @inlinable @inline(__always)
    package static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inlinable package mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// Uniform in [0, 1) with 24 random bits.
    @inlinable package mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / Float(1 << 24)) }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable package mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Uniform in [low, high).
    @inlinable package mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * nextDouble() }

    /// Uniform integer in 0..<bound (multiply-high reduction), bound > 0.
    @inlinable package mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: UInt64(bound).multipliedFullWidth(by: next()).high)
    }

    /// A standard normal sample (Box–Muller).
    package mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * 0x1p-53, 1e-300)
        let u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}
