/// Decides from an attempt's exit status and output whether it completed, hit a rank or host fault
/// (and on which hosts), failed on a user error, or was stopped by a signal.
///
/// Fault signatures, most specific first (captured texts in `AttemptClassifierTests`):
/// - Cohort's stall watchdog: `cohort: rank 0: stall at step 21 in MPI_Allreduce after 9.1 s; ranks
///   that did not arrive: rank 2; aborting the job` — the ranks' hosts by the `RankMapping`;
/// - ORTE: `ORTE has lost communication with a remote daemon.` … `Remote daemon: [[10007,0],3] on node H`;
/// - mpirun: `mpirun noticed that process rank 2 with PID 18196 on node H exited on signal 9 (Killed).`;
/// - srun: `srun: error: H: task 1: Killed` (any ending but `Exited with exit code N`);
/// - Open MPI's TCP transport: `An MPI communication peer process has unexpectedly disconnected.` … `Peer host: H`;
/// - a rank's own error from an MPI call: `cohort: rank 0: error: rank 0: MPI_Allreduce failed: …` (host unknown).
package struct AttemptClassifier: Sendable {
    /// Where the attempt's ranks ran.
    package let mapping: RankMapping

    package init(mapping: RankMapping) {
        self.mapping = mapping
    }

    /// Exit status of a run stopped by SIGTERM/SIGUSR1 (`cohort train`'s EX_TEMPFAIL).
    package static let stoppedStatus: Int32 = 75
    /// Exit status of an ArgumentParser validation error.
    package static let usageStatus: Int32 = 64

    /// Classifies an attempt that exited with `status` after printing `lines`; `stopRequested` when
    /// the launcher itself was told to stop (and passed the signal on).
    package func classify(status: Int32, lines: [String], stopRequested: Bool) -> AttemptOutcome {
        if status == 0 { return .completed }
        if stopRequested || status == Self.stoppedStatus {
            return .signalled(cause: "stopped by a signal (exit status \(status))")
        }
        if status == Self.usageStatus {
            return .userError(cause: firstError(in: lines) ?? "a flag was rejected (exit status 64)")
        }
        if let fault = fault(in: lines) { return fault }
        return .userError(cause: firstError(in: lines) ?? "exited with status \(status) without a rank or host fault")
    }

    /// True when `line` shows that a rank or host failed: the job is ending, and must not be waited for forever.
    package static func isFaultLine(_ line: String) -> Bool {
        line.contains(Self.stallMarker) || line.contains(Self.lostDaemonMarker) || line.contains("mpirun noticed that process rank")
            || srunTaskFailure(line) != nil || line.contains(Self.peerDisconnectedMarker)
            || line.firstMatch(of: Self.mpiCallFailed) != nil
    }

    static let stallMarker = "ranks that did not arrive:"
    static let lostDaemonMarker = "ORTE has lost communication with a remote daemon"
    static let peerDisconnectedMarker = "An MPI communication peer process has unexpectedly disconnected"
    // Regex is not Sendable, but these are never mutated after initialisation.
    nonisolated(unsafe) static let stall = #/cohort: rank \d+: stall at step (\d+) in (\S+) after [0-9.]+ s; ranks that did not arrive: (.*); aborting the job/#
    nonisolated(unsafe) static let remoteDaemon = #/Remote daemon:\s+\S+ on node (\S+)/#
    nonisolated(unsafe) static let signalledRank = #/mpirun noticed that process rank (\d+) with PID \d+ on node (\S+) exited on signal (\d+)(?: \(([^)]*)\))?/#
    nonisolated(unsafe) static let srunTask = #/srun: error: (\S+): tasks? ([0-9,\-]+): (.+)/#
    nonisolated(unsafe) static let peerHost = #/Peer host:\s+(\S+)/#
    nonisolated(unsafe) static let mpiCallFailed = #/cohort: rank (\d+): error: rank \d+: (MPI_\w+) failed: (.*)/#
    nonisolated(unsafe) static let errorLine = #/^(?:cohort: .*error: |Error: ).*/#

    private func fault(in lines: [String]) -> AttemptOutcome? {
        stallFault(lines) ?? lostDaemonFault(lines) ?? signalledRankFault(lines) ?? srunTaskFault(lines)
            ?? peerDisconnectedFault(lines) ?? mpiCallFault(lines)
    }

    private func stallFault(_ lines: [String]) -> AttemptOutcome? {
        let stalls = lines.compactMap { $0.firstMatch(of: Self.stall) }
        guard let first = stalls.first else { return nil }
        var ranks: [Int] = []
        for stall in stalls {
            for match in String(stall.output.3).matches(of: #/rank (\d+)/#) {
                if let rank = Int(match.output.1), !ranks.contains(rank) { ranks.append(rank) }
            }
        }
        let what = "stall at step \(first.output.1) in \(first.output.2)"
        guard !ranks.isEmpty else {
            return .fault(failedHosts: [], cause: "\(what); the ranks that did not arrive are unknown")
        }
        let hosts = unique(ranks.compactMap { mapping.host(ofRank: $0) })
        let ranksText = ranks.map(String.init).joined(separator: ", ")
        return .fault(failedHosts: hosts, cause: "\(what): rank\(ranks.count > 1 ? "s" : "") \(ranksText) on host\(hosts.count > 1 ? "s" : "") \(hosts.joined(separator: ", ")) did not arrive")
    }

    private func lostDaemonFault(_ lines: [String]) -> AttemptOutcome? {
        guard let start = lines.firstIndex(where: { $0.contains(Self.lostDaemonMarker) }) else { return nil }
        let hosts = unique(lines[start...].prefix(8).compactMap { $0.firstMatch(of: Self.remoteDaemon).map { String($0.output.1) } })
        return .fault(failedHosts: hosts, cause: hosts.isEmpty ? "lost communication with a remote daemon"
                                                                : "lost communication with the daemon on host \(hosts.joined(separator: ", "))")
    }

    private func signalledRankFault(_ lines: [String]) -> AttemptOutcome? {
        guard let match = lines.lazy.compactMap({ $0.firstMatch(of: Self.signalledRank) }).first else { return nil }
        let (rank, host, signal) = (match.output.1, String(match.output.2), match.output.3)
        let name = match.output.4.map { " (\($0))" } ?? ""
        return .fault(failedHosts: [host], cause: "rank \(rank) on host \(host) killed by signal \(signal)\(name)")
    }

    private func srunTaskFault(_ lines: [String]) -> AttemptOutcome? {
        guard let first = lines.lazy.compactMap(Self.srunTaskFailure).first else { return nil }
        let host = String(first.output.1)
        return .fault(failedHosts: [host], cause: "task \(first.output.2) on host \(host): \(first.output.3)")
    }

    /// srun's line for a task that died (`Killed`, `Segmentation fault`, …), not one that exited with a status.
    private static func srunTaskFailure(_ line: String) -> Regex<(Substring, Substring, Substring, Substring)>.Match? {
        line.firstMatch(of: srunTask).flatMap { $0.output.3.hasPrefix("Exited with exit code") ? nil : $0 }
    }

    private func peerDisconnectedFault(_ lines: [String]) -> AttemptOutcome? {
        guard let start = lines.firstIndex(where: { $0.contains(Self.peerDisconnectedMarker) }) else { return nil }
        let hosts = unique(lines[start...].prefix(20).compactMap { $0.firstMatch(of: Self.peerHost).map { String($0.output.1) } })
        return .fault(failedHosts: hosts, cause: "an MPI peer process on host \(hosts.isEmpty ? "unknown" : hosts.joined(separator: ", ")) disconnected")
    }

    private func mpiCallFault(_ lines: [String]) -> AttemptOutcome? {
        guard let match = lines.lazy.compactMap({ $0.firstMatch(of: Self.mpiCallFailed) }).first else { return nil }
        let rank = Int(match.output.1) ?? -1
        let host = mapping.host(ofRank: rank).map { " on host \($0)" } ?? ""
        return .fault(failedHosts: [], cause: "rank \(rank)\(host): \(match.output.2) failed: \(match.output.3)")
    }

    private func firstError(in lines: [String]) -> String? {
        lines.lazy.compactMap { $0.firstMatch(of: Self.errorLine).map { String($0.output) } }.first
    }

    private func unique(_ hosts: [String]) -> [String] {
        hosts.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }
}
