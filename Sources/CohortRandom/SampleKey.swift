/// The key of one sample's randomness: (seed, epoch, global sample index), and the one place a
/// per-sample key is derived.
///
/// Augmentation draws from `generator()` and layers such as dropout hash `value`, so the same
/// sample in the same epoch is treated identically whichever rank, thread or world size handles it
/// (docs/DESIGN.md §4.2). The two are separate streams of the same key, each exactly as it was
/// before both moved here, so that checkpoints stayed bitwise identical across the move.
package struct SampleKey: Sendable, Hashable {
    package var seed: UInt64
    package var epoch: Int
    package var index: Int

    package init(seed: UInt64, epoch: Int, index: Int) {
        self.seed = seed
        self.epoch = epoch
        self.index = index
    }

    /// A 64-bit hash of (seed, epoch, index), for per-sample masks.
    package var value: UInt64 {
        [seed, UInt64(bitPattern: Int64(epoch)), UInt64(bitPattern: Int64(index))]
            .reduce(0x5851_F42D_4C95_7F2D) { SplitMix64.mix($0 ^ SplitMix64.mix($1)) }
    }

    /// A fresh deterministic generator for this sample: the epoch's stream of the seed, then the
    /// sample's within it.
    package func generator() -> SplitMix64 {
        let epochKey = SplitMix64.mix(seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(bitPattern: Int64(epoch)))
        return SplitMix64(state: SplitMix64.mix(epochKey ^ (0xD1B5_4A32_D192_ED03 &* UInt64(bitPattern: Int64(index)))))
    }
}
