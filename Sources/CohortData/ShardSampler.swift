import CohortRandom
/// Which samples each rank processes at each step (docs/DESIGN.md §4.1, a contract).
///
/// The epoch permutation depends on (seed, epoch) only. It is cut into global batches of `globalBatch`; the last
/// partial one is dropped. Global batch `step` is cut into `worldSize` contiguous slices whose sizes differ by at
/// most one (the first `globalBatch % worldSize` ranks take one more), slice `rank` to rank `rank`. Every rank's
/// gradient is divided by the global batch, so uneven slices are weighted correctly in the mean.
package struct ShardSampler: Sendable {
    package let count: Int
    package let globalBatch: Int
    package let worldSize: Int
    package let rank: Int
    package let seed: UInt64

    /// The settings are checked before (`TrainingConfiguration.validate`): a global batch smaller
    /// than the number of ranks, or larger than `count`, is a programming error here.
    package init(count: Int, globalBatch: Int, worldSize: Int, rank: Int, seed: UInt64) {
        precondition((0..<worldSize).contains(rank) && globalBatch >= worldSize && count >= globalBatch,
                     "ShardSampler: \(globalBatch) samples per step over \(worldSize) ranks (rank \(rank)) from \(count)")
        self.count = count
        self.globalBatch = globalBatch
        self.worldSize = worldSize
        self.rank = rank
        self.seed = seed
    }

    /// This rank's positions within every global batch.
    package var slice: Range<Int> { Self.share(count: globalBatch, worldSize: worldSize, rank: rank) }

    /// Samples this rank processes per step.
    package var localBatch: Int { slice.count }

    /// Full global batches per epoch (the last partial batch is dropped).
    package var stepsPerEpoch: Int { count / globalBatch }

    /// The permutation of 0..<count for `epoch` (Fisher–Yates driven by SplitMix64 keyed on seed and epoch).
    package func permutation(epoch: Int) -> [Int] {
        var g = SplitMix64(state: SplitMix64.mix(seed ^ 0x5EED_5A3B_1E00_0000) ^ SplitMix64.mix(UInt64(bitPattern: Int64(epoch))))
        var p = Array(0..<count)
        var i = count - 1
        while i > 0 {
            p.swapAt(i, g.below(i + 1))
            i -= 1
        }
        return p
    }

    /// This rank's contiguous slice of global batch `step` of the (seed, epoch) permutation.
    package func indices(epoch: Int, step: Int) -> [Int] {
        precondition(step >= 0 && step < stepsPerEpoch, "ShardSampler: step \(step) out of 0..<\(stepsPerEpoch)")
        let start = step * globalBatch + slice.lowerBound
        return Array(permutation(epoch: epoch)[start..<(start + localBatch)])
    }

    /// This rank's slices for every step of `epoch` (one permutation computed once), for `BatchLoader`.
    package func epochBatches(epoch: Int, fromStep first: Int = 0) -> [[Int]] {
        let p = permutation(epoch: epoch)
        let slice = self.slice
        return (first..<stepsPerEpoch).map { step in
            Array(p[(step * globalBatch + slice.lowerBound)..<(step * globalBatch + slice.upperBound)])
        }
    }

    /// Share of rank `rank` of `count` items (evaluation samples, or positions in a global batch): contiguous, sizes
    /// differ by at most one, every item once, no padding.
    package static func share(count: Int, worldSize: Int, rank: Int) -> Range<Int> {
        precondition(worldSize > 0 && rank >= 0 && rank < worldSize, "ShardSampler.share: rank \(rank) of \(worldSize)")
        let base = count / worldSize, extra = count % worldSize
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// Evaluation batches of at most `batchSize` samples over this rank's `share` of them.
    package static func evaluationBatches(count: Int, worldSize: Int, rank: Int, batchSize: Int) -> [[Int]] {
        precondition(batchSize > 0, "evaluationBatches: batch size must be positive")
        let range = share(count: count, worldSize: worldSize, rank: rank)
        return stride(from: range.lowerBound, to: range.upperBound, by: batchSize).map {
            Array($0..<min($0 + batchSize, range.upperBound))
        }
    }
}
