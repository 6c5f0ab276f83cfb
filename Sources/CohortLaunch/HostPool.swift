/// The hosts a launch may use, and which of them are excluded since which attempt.
///
/// A host that failed in attempt a is left out of attempt a + 1; from attempt a + 2 on it is
/// probed before each attempt and used again once it answers.
package struct HostPool: Sendable {
    /// Every host, in hostfile (or allocation) order; attempts use them in this order.
    package let all: [String]
    /// Excluded hosts and the attempt in which each failed.
    package private(set) var excluded: [String: Int] = [:]

    package init(hosts: [String]) {
        all = hosts
    }

    /// The hosts not excluded, in order.
    package var available: [String] { all.filter { excluded[$0] == nil } }

    /// Leaves `hosts` (those of this pool) out from the attempt after `attempt` on.
    package mutating func exclude(_ hosts: [String], failedInAttempt attempt: Int) {
        for host in hosts where all.contains(host) { excluded[host] = attempt }
    }

    /// The excluded hosts to probe before attempt `attempt`: those that failed at least two attempts earlier.
    package func hostsToProbe(beforeAttempt attempt: Int) -> [String] {
        all.filter { excluded[$0].map { $0 < attempt - 1 } ?? false }
    }

    /// Uses `host` again (it answered a probe).
    package mutating func readmit(_ host: String) {
        excluded[host] = nil
    }
}
