import CohortCore
import CohortDistributed

/// Connects a training step's layers to its gradient reducer: finished gradients start their
/// bucket's allreduce, and with sync-BN the BatchNorm statistics are summed over ranks in order.
final class ReducerObserver: PassObserver {
    private let reducer: GradientReducer
    private let synchronizesBatchNorm: Bool

    init(reducer: GradientReducer, synchronizesBatchNorm: Bool) {
        self.reducer = reducer
        self.synchronizesBatchNorm = synchronizesBatchNorm
    }

    func gradientsReady(from offset: Int) { reducer.gradientsReady(from: offset) }

    func reduceStatistics(_ statistics: UnsafeMutableBufferPointer<Double>) throws {
        if synchronizesBatchNorm { try reducer.allreduceInOrder(statistics) }
    }
}
