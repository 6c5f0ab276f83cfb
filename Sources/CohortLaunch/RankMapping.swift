/// Where the ranks of one attempt run: `ranksPerHost` consecutive ranks on each host, in order,
/// so rank r runs on `hosts[r / ranksPerHost]` (Open MPI's by-slot mapping, srun's block distribution).
package struct RankMapping: Equatable, Sendable {
    package let hosts: [String]
    package let ranksPerHost: Int

    package init(hosts: [String], ranksPerHost: Int) {
        self.hosts = hosts
        self.ranksPerHost = ranksPerHost
    }

    /// The world size.
    package var ranks: Int { hosts.count * ranksPerHost }

    /// The host of `rank`, nil when the rank is outside the world.
    package func host(ofRank rank: Int) -> String? {
        guard rank >= 0, rank < ranks else { return nil }
        return hosts[rank / ranksPerHost]
    }
}
