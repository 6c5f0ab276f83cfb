import Testing
@testable import CohortDistributed

/// The layout line counts hosts and ranks per host from the ranks' host names.
@Suite struct RankLayoutTests {
    @Test func regularAndIrregularLayouts() {
        #expect(RankLayout(hostNames: ["a"]).description == "1 host(s) × 1 rank(s)")
        #expect(RankLayout(hostNames: ["a", "b", "a", "b"]).description == "2 host(s) × 2 rank(s)")
        let irregular = RankLayout(hostNames: ["n1", "n1", "n2", "n3", "n3"])
        #expect(irregular.hosts == 3 && irregular.ranksPerHost == 1...2)
        #expect(irregular.description == "3 host(s) × 1–2 rank(s)")
    }
}
