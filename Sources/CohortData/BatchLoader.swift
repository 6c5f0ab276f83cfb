import CohortRandom
import Foundation

/// One batch, in the model's NCHW float layout.
package struct Batch {
    /// `count * C * H * W` floats; valid until the next call to `BatchLoader.next()`.
    package let images: UnsafeBufferPointer<Float>
    package let labels: [Int32]
    /// Each sample's key (seed, epoch, global sample index), in batch order: the key its
    /// augmentation was drawn from, and the one layers such as dropout draw from in training.
    package let keys: [SampleKey]
    package var count: Int { keys.count }

    package init(images: UnsafeBufferPointer<Float>, labels: [Int32], keys: [SampleKey]) {
        self.images = images
        self.labels = labels
        self.keys = keys
    }
}

/// Decodes and augments batches on background threads, `prefetch` batches ahead of the consumer, into
/// `prefetch + 1` reused buffers. Work is handed out a few samples at a time, so every thread helps with every
/// batch; each sample's randomness comes from its `SampleKey`, so output does not depend on the thread count.
package final class BatchLoader {
    private let state: LoaderState
    private var handedOut = false

    /// - Parameters:
    ///   - batches: global sample indices, one array per step, for this rank.
    ///   - threads: background decode threads (at least 1).
    ///   - prefetch: batches prepared ahead of the one being consumed (at least 1; 2 by default).
    package init(dataset: any ImageDataset, batches: [[Int]], augmentation: Augmentation, seed: UInt64, epoch: Int,
                threads: Int, prefetch: Int = 2) {
        state = LoaderState(dataset: dataset, batches: batches, augmentation: augmentation, seed: seed, epoch: epoch,
                            slots: max(1, prefetch) + 1)
        for t in 0..<max(1, threads) {
            let state = self.state
            let thread = Thread { state.work() }
            thread.name = "cohort-loader-\(t)"
            thread.start()
        }
    }

    deinit { state.cancel() }

    /// The next batch, or nil after the last. An error thrown by a worker for a sample of this batch is rethrown here.
    package func next() throws -> Batch? {
        if handedOut { state.release() }
        handedOut = false
        guard let batch = try state.waitForNext() else { return nil }
        handedOut = true
        return batch
    }
}

/// Shared state of a `BatchLoader` and its threads, guarded by `condition`.
private final class LoaderState: @unchecked Sendable {
    let dataset: any ImageDataset
    let batches: [[Int]]
    let augmentation: Augmentation
    let seed: UInt64
    let epoch: Int
    let sampleSize: Int
    let slotCount: Int
    let buffers: [UnsafeMutableBufferPointer<Float>]
    let condition = NSCondition()
    /// Claimed work: next (step, position) to hand out.
    var claimStep = 0, claimPosition = 0
    /// Samples still unfinished per step; errors recorded per step.
    var remaining: [Int]
    var errors: [Int: Error] = [:]
    /// Steps given back by the consumer (their slot may be refilled); the step the consumer waits for next.
    var released = 0, consumed = 0
    var cancelled = false

    init(dataset: any ImageDataset, batches: [[Int]], augmentation: Augmentation, seed: UInt64, epoch: Int, slots: Int) {
        self.dataset = dataset
        self.batches = batches
        self.augmentation = augmentation
        self.seed = seed
        self.epoch = epoch
        sampleSize = dataset.imageShape.count
        slotCount = slots
        let largest = batches.map(\.count).max() ?? 0
        buffers = (0..<slots).map { _ in
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, largest * dataset.imageShape.count))
            b.initialize(repeating: 0)
            return b
        }
        remaining = batches.map(\.count)
    }

    deinit { buffers.forEach { $0.deallocate() } }

    /// Worker loop: claim up to `chunk` samples of the oldest unfinished step whose slot is free, decode them.
    func work() {
        let chunk = 4
        while true {
            condition.lock()
            while !cancelled && claimStep < batches.count && claimStep >= released + slotCount { condition.wait() }
            if cancelled || claimStep >= batches.count { condition.unlock(); return }
            let step = claimStep, first = claimPosition
            let last = min(first + chunk, batches[step].count)
            claimPosition = last
            if last == batches[step].count { claimStep += 1; claimPosition = 0 }
            condition.unlock()

            var failure: Error?
            let base = buffers[step % slotCount].baseAddress!
            for position in first..<last where failure == nil {
                let index = batches[step][position]
                let out = UnsafeMutableBufferPointer(start: base + position * sampleSize, count: sampleSize)
                do {
                    try dataset.load(index, into: out, augmentation: augmentation, key: SampleKey(seed: seed, epoch: epoch, index: index))
                } catch { failure = error }
            }

            condition.lock()
            if let failure, errors[step] == nil { errors[step] = failure }
            remaining[step] -= last - first
            if remaining[step] == 0 { condition.broadcast() }
            condition.unlock()
        }
    }

    func waitForNext() throws -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        guard consumed < batches.count else { return nil }
        let step = consumed
        while remaining[step] > 0 { condition.wait() }
        consumed += 1
        if let error = errors.removeValue(forKey: step) { released = consumed; condition.broadcast(); throw error }
        let indices = batches[step]
        let images = UnsafeBufferPointer(start: buffers[step % slotCount].baseAddress!, count: indices.count * sampleSize)
        return Batch(images: images, labels: indices.map { Int32(dataset.label(at: $0)) },
                     keys: indices.map { SampleKey(seed: seed, epoch: epoch, index: $0) })
    }

    func release() {
        condition.lock()
        released = consumed
        condition.broadcast()
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
