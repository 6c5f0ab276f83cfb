import CohortCore
import CohortTrace
import Foundation

/// Writes checkpoints on a background thread (rank 0): `submit` copies the training state at the
/// step boundary — the step pays about a memcpy — and the file is written, checksummed, fsynced
/// and renamed while training goes on, with `CheckpointStore`'s crash-safety unchanged. One write
/// is in flight at a time: a submit that finds the previous write unfinished waits for it. A
/// failed write is rethrown, naming the file, by the next `submit` or `flush`.
final class CheckpointWriter: @unchecked Sendable {
    let store: CheckpointStore
    private let snapshot = CheckpointSnapshot()
    private let queue = DispatchQueue(label: "cohort.checkpoint-writer")
    private let idle = DispatchSemaphore(value: 1)
    private var failure: Error?

    init(store: CheckpointStore) { self.store = store }

    /// Captures `state`, the model and the optimizer now and writes them under `names` in the background.
    func submit(state: CheckpointState, arena: ParameterArena, optimizer: any Optimizer, names: [String]) throws {
        idle.wait()
        if let failure {
            self.failure = nil
            idle.signal()
            throw failure
        }
        StepTrace.measure("checkpoint snapshot " + names.joined(separator: ", "), category: "checkpoint") {
            snapshot.capture(state: state, arena: arena, optimizer: optimizer)
        }
        queue.async { [self] in
            do {
                try store.save(state: snapshot.state!, tensors: snapshot.tensors, names: names)
            } catch {
                failure = error
            }
            idle.signal()
        }
    }

    /// Waits until the last submitted checkpoint is on disk; rethrows its error.
    func flush() throws {
        idle.wait()
        defer { idle.signal() }
        if let failure {
            self.failure = nil
            throw failure
        }
    }
}
