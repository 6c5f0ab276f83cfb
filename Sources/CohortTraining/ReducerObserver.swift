import CohortCore
import CohortDistributed

/// Connects a training step's layers to its gradient reducer: finished gradients start their
/// bucket's allreduce, and with sync-BN the BatchNorm statistics are summed over ranks in order.
final class ReducerObserver: PassObserver {
    private let reducer: GradientReducer
    private let synchronizesBatchNorm: Bool
    /// False during the backward of a micro-batch other than the step's last: its gradients are
    /// not final, so no bucket starts.
    var startsBuckets = true

    init(reducer: GradientReducer, synchronizesBatchNorm: Bool) {
        self.reducer = reducer
        self.synchronizesBatchNorm = synchronizesBatchNorm
    }

    func gradientsReady(from offset: Int) {
        if startsBuckets { reducer.gradientsReady(from: offset) }
    }

    func reduceStatistics(_ statistics: UnsafeMutableBufferPointer<Double>) throws {
        if synchronizesBatchNorm { try reducer.allreduceInOrder(statistics) }
    }
}
