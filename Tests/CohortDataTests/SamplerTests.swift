import Testing
@testable import CohortData

@Suite struct SamplerTests {
    @Test(arguments: [(103, 12, 1), (103, 12, 2), (103, 12, 4), (100, 10, 5), (64, 64, 2), (200, 64, 3), (103, 12, 5), (50, 7, 7)])
    func slicesPartitionEachGlobalBatch(count: Int, batch: Int, world: Int) throws {
        let samplers = (0..<world).map { ShardSampler(count: count, globalBatch: batch, worldSize: world, rank: $0, seed: 42) }
        let single = ShardSampler(count: count, globalBatch: batch, worldSize: 1, rank: 0, seed: 42)
        #expect(samplers[0].stepsPerEpoch == count / batch)
        var seen = Set<Int>()
        for epoch in 0..<2 {
            seen.removeAll()
            for step in 0..<single.stepsPerEpoch {
                let joined = samplers.flatMap { $0.indices(epoch: epoch, step: step) }
                #expect(joined == single.indices(epoch: epoch, step: step))
                let sizes = samplers.map { $0.indices(epoch: epoch, step: step).count }
                #expect(sizes.max()! - sizes.min()! <= 1 && sizes.min()! >= batch / world, "slice sizes \(sizes)")
                for i in joined { #expect(seen.insert(i).inserted) }
            }
            #expect(seen.count == single.stepsPerEpoch * batch)
            #expect(seen.allSatisfy { $0 >= 0 && $0 < count })
            for r in 0..<world { #expect(samplers[r].epochBatches(epoch: epoch) == (0..<single.stepsPerEpoch).map { samplers[r].indices(epoch: epoch, step: $0) }) }
        }
    }

    @Test func permutationDependsOnSeedAndEpochOnly() throws {
        let a = ShardSampler(count: 50, globalBatch: 10, worldSize: 1, rank: 0, seed: 7)
        let b = ShardSampler(count: 50, globalBatch: 10, worldSize: 1, rank: 0, seed: 7)
        let c = ShardSampler(count: 50, globalBatch: 10, worldSize: 1, rank: 0, seed: 8)
        #expect(a.permutation(epoch: 3) == b.permutation(epoch: 3))
        #expect(a.permutation(epoch: 3) != a.permutation(epoch: 4))
        #expect(a.permutation(epoch: 3) != c.permutation(epoch: 3))
        #expect(a.permutation(epoch: 0).sorted() == Array(0..<50))
    }

    @Test(arguments: [(10, 3), (10000, 4), (2, 4), (0, 2), (7, 1)])
    func evaluationCoversEverySampleOnce(count: Int, world: Int) {
        let ranges = (0..<world).map { ShardSampler.share(count: count, worldSize: world, rank: $0) }
        #expect(ranges.flatMap { Array($0) } == Array(0..<count))
        let batches = (0..<world).flatMap { ShardSampler.evaluationBatches(count: count, worldSize: world, rank: $0, batchSize: 3) }
        #expect(batches.flatMap { $0 } == Array(0..<count))
    }
}
