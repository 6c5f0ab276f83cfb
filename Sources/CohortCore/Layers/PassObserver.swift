/// What a data-parallel engine hears from the layers during one step: when a run of gradients is
/// final, so its allreduce can start while backward goes on, and (sync-BN) which BatchNorm
/// statistics to sum over every rank's slice of the global batch. Set as `Context.observer`.
package protocol PassObserver: AnyObject {
    /// Every gradient from arena offset `offset` to the end is final for this step. Backward runs
    /// in reverse arena order, so offsets only decrease within a step; the last call is offset 0.
    func gradientsReady(from offset: Int)
    /// Sums BatchNorm's per-channel `statistics` in place over the ranks, in forward and in
    /// backward; leaving them as they are keeps statistics per rank.
    func reduceStatistics(_ statistics: UnsafeMutableBufferPointer<Double>) throws
}
