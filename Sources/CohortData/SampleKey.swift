/// The key of one sample's randomness: (seed, epoch, global sample index).
///
/// Augmentation draws only from `generator()`, so the same sample in the same epoch is transformed identically
/// whichever rank or loader thread handles it (DESIGN.md §4).
public struct SampleKey: Sendable, Hashable {
    public var seed: UInt64
    public var epoch: Int
    public var index: Int

    public init(seed: UInt64, epoch: Int, index: Int) {
        self.seed = seed
        self.epoch = epoch
        self.index = index
    }

    /// A fresh deterministic generator for this key.
    public func generator() -> SplitMix64 {
        let e = SplitMix64.mix(seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(bitPattern: Int64(epoch)))
        return SplitMix64(state: SplitMix64.mix(e ^ (0xD1B5_4A32_D192_ED03 &* UInt64(bitPattern: Int64(index)))))
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, fully specified generator, so streams are the same on
/// every platform and Swift version (the standard library's `random(in:using:)` algorithms are not promised stable).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    /// The SplitMix64 finalizer: a bijective 64-bit mix.
    @inlinable public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inlinable public mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable public mutating func unit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in [low, high).
    @inlinable public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * unit()
    }

    /// Uniform integer in 0..<bound (multiply-high reduction), bound > 0.
    @inlinable public mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: UInt64(bound).multipliedFullWidth(by: next()).high)
    }
}
