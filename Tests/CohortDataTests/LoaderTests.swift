import CohortRandom
import Testing
@testable import CohortData

/// A dataset that fails on chosen indices (to test error propagation).
private struct FailingDataset: ImageDataset {
    let base: IDXDataset
    let failing: Set<Int>
    var count: Int { base.count }
    var classNames: [String] { base.classNames }
    var imageShape: ImageShape { base.imageShape }
    func label(at index: Int) -> Int { base.label(at: index) }
    func load(_ index: Int, into out: UnsafeMutableBufferPointer<Float>, augmentation: Augmentation, key: SampleKey) throws {
        if failing.contains(index) { throw DataError.badImage(path: "sample-\(index).png", reason: "test failure") }
        try base.load(index, into: out, augmentation: augmentation, key: key)
    }
}

@Suite struct LoaderTests {
    static let splits = Result { try DatasetOpener.open(directory: nil, imageShape: nil, holdout: 0, limit: 600, skipBad: false) }
    let augment = Augmentation(flip: true, shift: 0.1, rotate: 15, crop: false)

    func drain(_ loader: BatchLoader) throws -> [(images: [Float], labels: [Int32], indices: [Int])] {
        var out: [(images: [Float], labels: [Int32], indices: [Int])] = []
        while let b = try loader.next() { out.append((Array(b.images), b.labels, b.keys.map(\.index))) }
        return out
    }

    @Test func sameOutputForAnyThreadCount() throws {
        let data = try Self.splits.get().train
        let sampler = ShardSampler(count: data.count, globalBatch: 32, worldSize: 1, rank: 0, seed: 5)
        let batches = sampler.epochBatches(epoch: 1)
        let reference = try drain(BatchLoader(dataset: data, batches: batches, augmentation: augment, seed: 5, epoch: 1, threads: 1, prefetch: 1))
        #expect(reference.count == 18)
        for threads in [2, 3] {
            let other = try drain(BatchLoader(dataset: data, batches: batches, augmentation: augment, seed: 5, epoch: 1, threads: threads, prefetch: 3))
            #expect(other.count == reference.count)
            for (a, b) in zip(reference, other) { #expect(a.images == b.images && a.labels == b.labels && a.indices == b.indices) }
        }
        #expect(reference[0].labels == reference[0].indices.map { Int32(data.label(at: $0)) })
        let unaugmented = try drain(BatchLoader(dataset: data, batches: batches, augmentation: .none, seed: 5, epoch: 1, threads: 2))
        #expect(unaugmented[0].images != reference[0].images)
    }

    @Test(arguments: [2, 4])
    func sameSamplesAcrossWorldSizes(world: Int) throws {
        let data = try Self.splits.get().train
        let single = ShardSampler(count: data.count, globalBatch: 16, worldSize: 1, rank: 0, seed: 11)
        let whole = try drain(BatchLoader(dataset: data, batches: single.epochBatches(epoch: 2), augmentation: augment, seed: 11, epoch: 2, threads: 2))
        let size = data.imageShape.count, local = 16 / world
        for rank in 0..<world {
            let sampler = ShardSampler(count: data.count, globalBatch: 16, worldSize: world, rank: rank, seed: 11)
            let part = try drain(BatchLoader(dataset: data, batches: sampler.epochBatches(epoch: 2), augmentation: augment, seed: 11, epoch: 2, threads: 1))
            #expect(part.count == whole.count)
            for (step, batch) in part.enumerated() {
                #expect(batch.indices == Array(whole[step].indices[(rank * local)..<((rank + 1) * local)]))
                #expect(batch.images == Array(whole[step].images[(rank * local * size)..<((rank + 1) * local * size)]))
            }
        }
    }

    @Test func workerErrorIsRethrownAtItsBatch() throws {
        let data = FailingDataset(base: try Self.splits.get().train as! IDXDataset, failing: [45])
        let batches = (0..<6).map { Array(($0 * 10)..<($0 * 10 + 10)) }
        let loader = BatchLoader(dataset: data, batches: batches, augmentation: .none, seed: 1, epoch: 0, threads: 2)
        for _ in 0..<4 { #expect(try loader.next() != nil) }
        let message = Fixtures.errorMessage { _ = try loader.next() }
        #expect(message?.contains("sample-45.png") == true, "\(message ?? "no error")")
    }

    @Test func unevenLastBatchAndEarlyStop() throws {
        let data = try Self.splits.get().train
        let batches = ShardSampler.evaluationBatches(count: 25, worldSize: 1, rank: 0, batchSize: 10)
        let all = try drain(BatchLoader(dataset: data, batches: batches, augmentation: .none, seed: 1, epoch: 0, threads: 2))
        #expect(all.map(\.indices.count) == [10, 10, 5])
        #expect(all[2].images.count == 5 * 784)
        var single = [Float](repeating: 0, count: 784)
        try single.withUnsafeMutableBufferPointer { try data.load(23, into: $0, augmentation: .none, key: SampleKey(seed: 1, epoch: 0, index: 23)) }
        #expect(Array(all[2].images[(3 * 784)..<(4 * 784)]) == single)
        // Dropping a loader part-way must not hang or crash.
        let partial = BatchLoader(dataset: data, batches: batches, augmentation: .none, seed: 1, epoch: 0, threads: 2, prefetch: 1)
        _ = try partial.next()
    }
}
