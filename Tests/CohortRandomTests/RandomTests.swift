import CohortRandom
import Testing

/// The generator, the sample keys and the hash are fully specified: their published reference
/// values hold, and a sample's key depends on (seed, epoch, index) alone.
@Suite struct RandomTests {
    /// SplitMix64 seeded with 0 (the reference implementation's first three outputs).
    @Test func splitMix64MatchesTheReferenceStream() {
        var generator = SplitMix64(seed: 0)
        #expect([generator.next(), generator.next(), generator.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    @Test func drawsStayInTheirRanges() {
        var generator = SplitMix64(seed: 5)
        for _ in 0..<10_000 {
            let (f, d, b) = (generator.nextFloat(), generator.nextDouble(), generator.below(7))
            #expect(f >= 0 && f < 1 && d >= 0 && d < 1 && (0..<7).contains(b))
        }
    }

    /// FNV-1a 64 reference values.
    @Test func fnv1aMatchesTheReference() {
        #expect(fnv1a([UInt8]()) == 0xCBF2_9CE4_8422_2325)
        #expect(fnv1a("a".utf8) == 0xAF63_DC4C_8601_EC8C)
    }

    /// Keys and generators of different samples, epochs and seeds differ; the same (seed, epoch,
    /// index) always gives the same key and the same stream.
    @Test func sampleKeysAreDistinctAndDependOnTheTripleAlone() {
        var values = Set<UInt64>(), firstDraws = Set<UInt64>()
        for seed: UInt64 in [0, 1] {
            for epoch in 0..<5 {
                for index in 0..<2_000 {
                    let key = SampleKey(seed: seed, epoch: epoch, index: index)
                    var generator = key.generator()
                    values.insert(key.value)
                    firstDraws.insert(generator.next())
                }
            }
        }
        #expect(values.count == 2 * 5 * 2_000 && firstDraws.count == 2 * 5 * 2_000)
        var a = SampleKey(seed: 3, epoch: 1, index: 42).generator(), b = SampleKey(seed: 3, epoch: 1, index: 42).generator()
        #expect(SampleKey(seed: 3, epoch: 1, index: 42).value == SampleKey(seed: 3, epoch: 1, index: 42).value)
        #expect((0..<8).map { _ in a.next() } == (0..<8).map { _ in b.next() })
    }
}
