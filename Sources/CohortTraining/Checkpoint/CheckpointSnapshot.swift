import CohortCore

/// A copy of everything a checkpoint holds, taken at a step boundary, so the file can be written
/// while training goes on. The tensor memory is allocated once and reused by every capture.
final class CheckpointSnapshot {
    private(set) var state: CheckpointState?
    private var storage = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    private(set) var tensors: [CheckpointStore.Entry] = []

    deinit { storage.deallocate() }

    /// Copies the parameters, buffers and optimizer slots (in checkpoint order) and `state`.
    func capture(state: CheckpointState, arena: ParameterArena, optimizer: any Optimizer) {
        let live = CheckpointStore.entries(arena: arena, optimizer: optimizer)
        let total = live.reduce(0) { $0 + $1.values.count }
        if storage.count != total {
            storage.deallocate()
            storage = .allocate(capacity: total)
            var offset = 0
            tensors = live.map { entry in
                defer { offset += entry.values.count }
                return (entry.name, entry.shape, UnsafeMutableBufferPointer(rebasing: storage[offset..<(offset + entry.values.count)]))
            }
        }
        for (copy, entry) in zip(tensors, live) { _ = copy.values.update(fromContentsOf: entry.values) }
        self.state = state
    }
}
