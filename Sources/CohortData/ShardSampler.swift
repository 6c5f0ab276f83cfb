/// Which samples each rank processes at each step (DESIGN.md §4, contract).
///
/// The epoch permutation depends on (seed, epoch) only. It is cut into global batches of `globalBatch`; the last
/// partial one is dropped. Global batch `step` is cut into `worldSize` contiguous slices of `globalBatch / worldSize`,
/// slice `rank` to rank `rank`.
public struct ShardSampler: Sendable {
    public let count: Int
    public let globalBatch: Int
    public let worldSize: Int
    public let rank: Int
    public let seed: UInt64

    public init(count: Int, globalBatch: Int, worldSize: Int, rank: Int, seed: UInt64) throws {
        guard worldSize > 0, rank >= 0, rank < worldSize else {
            throw DataError.invalidOption("rank \(rank) is not in 0..<\(worldSize)")
        }
        guard globalBatch > 0 else { throw DataError.invalidOption("--batch-size \(globalBatch): must be positive") }
        guard globalBatch % worldSize == 0 else {
            throw DataError.invalidOption("--batch-size \(globalBatch) is not divisible by the \(worldSize) ranks: the global batch is split evenly, so use a multiple of \(worldSize)")
        }
        guard count >= globalBatch else {
            throw DataError.invalidOption("--batch-size \(globalBatch) is larger than the \(count) training samples")
        }
        self.count = count
        self.globalBatch = globalBatch
        self.worldSize = worldSize
        self.rank = rank
        self.seed = seed
    }

    /// Samples per rank per step.
    public var localBatch: Int { globalBatch / worldSize }

    /// Full global batches per epoch (the last partial batch is dropped).
    public var stepsPerEpoch: Int { count / globalBatch }

    /// The permutation of 0..<count for `epoch` (Fisher–Yates driven by SplitMix64 keyed on seed and epoch).
    public func permutation(epoch: Int) -> [Int] {
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
    public func indices(epoch: Int, step: Int) -> [Int] {
        precondition(step >= 0 && step < stepsPerEpoch, "ShardSampler: step \(step) out of 0..<\(stepsPerEpoch)")
        let start = step * globalBatch + rank * localBatch
        return Array(permutation(epoch: epoch)[start..<(start + localBatch)])
    }

    /// This rank's slices for every step of `epoch` (one permutation computed once), for `BatchLoader`.
    public func epochBatches(epoch: Int, fromStep first: Int = 0) -> [[Int]] {
        let p = permutation(epoch: epoch)
        return (first..<stepsPerEpoch).map { step in
            let start = step * globalBatch + rank * localBatch
            return Array(p[start..<(start + localBatch)])
        }
    }

    /// Evaluation share of rank `rank`: contiguous, sizes differ by at most one, every sample once, no padding.
    public static func evaluationRange(count: Int, worldSize: Int, rank: Int) -> Range<Int> {
        precondition(worldSize > 0 && rank >= 0 && rank < worldSize, "evaluationRange: rank \(rank) of \(worldSize)")
        let base = count / worldSize, extra = count % worldSize
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// Evaluation batches of at most `batchSize` samples over this rank's `evaluationRange`.
    public static func evaluationBatches(count: Int, worldSize: Int, rank: Int, batchSize: Int) -> [[Int]] {
        precondition(batchSize > 0, "evaluationBatches: batch size must be positive")
        let range = evaluationRange(count: count, worldSize: worldSize, rank: rank)
        return stride(from: range.lowerBound, to: range.upperBound, by: batchSize).map {
            Array($0..<min($0 + batchSize, range.upperBound))
        }
    }
}
