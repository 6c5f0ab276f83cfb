#if canImport(Glibc)
import Glibc
#endif

/// Where a job's ranks run: how many hosts, and how many ranks each holds. Gathered once at start
/// (one allgather of each rank's host name) so `cohort train` can say what layout it runs.
package struct RankLayout: Sendable, Equatable {
    /// Distinct host names among the ranks.
    package var hosts: Int
    /// The fewest and the most ranks any host holds (equal on a regular layout).
    package var ranksPerHost: ClosedRange<Int>

    /// The layout of ranks whose host names are `hostNames`, indexed by rank.
    package init(hostNames: [String]) {
        let counts = Dictionary(hostNames.map { ($0, 1) }, uniquingKeysWith: +).values
        hosts = counts.count
        ranksPerHost = (counts.min() ?? 0)...(counts.max() ?? 0)
    }

    /// Every rank's host, gathered; a collective, so every rank calls it. A host is a host name
    /// and a network namespace: containers and namespace hosts on one machine count apart, as
    /// they do for MPI.
    package static func gather(_ communicator: any Communicator) throws -> RankLayout {
        var name = [UInt8](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        var namespace = [UInt8](repeating: 0, count: 64)
        let length = readlink("/proc/self/ns/net", &namespace, namespace.count)
        let identity = Array(name.prefix { $0 != 0 }) + Array("/".utf8) + Array(namespace.prefix(max(0, length)))
        let gathered = try communicator.allgather(identity)
        return RankLayout(hostNames: gathered.map { String(decoding: $0, as: UTF8.self) })
    }

    /// "2 host(s) × 1 rank(s)" or, on an irregular layout, "3 host(s) × 1–2 rank(s)".
    package var description: String {
        let perHost = ranksPerHost.lowerBound == ranksPerHost.upperBound ? "\(ranksPerHost.lowerBound)"
            : "\(ranksPerHost.lowerBound)–\(ranksPerHost.upperBound)"
        return "\(hosts) host(s) × \(perHost) rank(s)"
    }
}
