import CohortCore
import Testing

@Suite struct BLASCoreTests {
    @Test func preAVX2KernelsAreUpgradedToWhatTheCPUSupports() {
        #expect(BLASCore.preferred(detected: "Prescott", vectorLevel: 2) == "SkylakeX")
        #expect(BLASCore.preferred(detected: "Nehalem", vectorLevel: 1) == "Haswell")
        #expect(BLASCore.preferred(detected: "Prescott", vectorLevel: 0) == nil)
        #expect(BLASCore.preferred(detected: "Haswell", vectorLevel: 2) == "SkylakeX")
        #expect(BLASCore.preferred(detected: "Zen", vectorLevel: 2) == "SkylakeX")
    }

    @Test func aGoodChoiceIsLeftAlone() {
        #expect(BLASCore.preferred(detected: "Cooperlake", vectorLevel: 2) == nil)
        #expect(BLASCore.preferred(detected: "Haswell", vectorLevel: 1) == nil)
        #expect(BLASCore.preferred(detected: "SomeFutureCore", vectorLevel: 2) == nil)
        #expect(BLASCore.preferred(detected: "SkylakeX", vectorLevel: 2) == nil)
        #expect(BLASCore.preferred(detected: "Zen", vectorLevel: 1) == nil)
    }
}
