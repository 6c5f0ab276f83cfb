import CohortLaunch
import Foundation

/// The loop of `cohort launch`: runs `cohort train … --resume auto` on the available hosts; after a
/// rank or host fault excludes the failed hosts and runs it again (resuming from the newest
/// checkpoint) while restarts and hosts remain; never retries a user error or a stop by signal.
struct Launcher {
    let starter: RankStarter
    let ranksPerHost: Int
    let maxRestarts: Int
    /// At least 1 (LaunchCommand validates it).
    let minHosts: Int
    let train: TrainArguments
    /// The `cohort` binary the ranks run: the launcher's own.
    let executable: String
    var pool: HostPool

    /// Seconds a job may keep running after a fault line before the launcher kills it (a daemon on a
    /// host whose link is down keeps mpirun waiting forever).
    static let faultGrace = 20.0
    /// Seconds a probe of an excluded host may take.
    static let probeTimeout = 10.0

    /// Runs attempts until one completes, fails without a fault, or the budget is used up; returns the exit status.
    mutating func run() throws -> Int32 {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cohort-launch-\(getpid())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: train.checkpointDirectory, withIntermediateDirectories: true)
        var failures: [String] = []
        var mapping = RankMapping(hosts: pool.available, ranksPerHost: ranksPerHost)
        log("attempt 1 on \(Self.describe(mapping)): \(mapping.hosts.joined(separator: ", "))")
        var attempt = 1
        while true {
            let (status, outcome) = try runAttempt(attempt, mapping: mapping, hostfile: "\(scratch)/hostfile-\(attempt)")
            switch outcome {
            case .completed:
                log("attempt \(attempt) completed")
                return 0
            case .userError(let cause):
                log("attempt \(attempt) failed: \(cause); not retried (not a rank or host fault)")
                return status == 0 ? 1 : status
            case .signalled(let cause):
                log("attempt \(attempt) \(cause); not restarted")
                return status
            case .fault(let failedHosts, let cause):
                failures.append("cohort launch: attempt \(attempt): \(cause)")
                pool.exclude(failedHosts, failedInAttempt: attempt)
                if LaunchSignals.stopRequested {
                    log("attempt \(attempt) failed: \(cause); a stop signal arrived, not restarted")
                    return AttemptClassifier.stoppedStatus
                }
                guard attempt <= maxRestarts else {
                    return giveUp(after: attempt, cause: cause, reason: "no restart left (--max-restarts \(maxRestarts))", failures: failures)
                }
                probeExcludedHosts(beforeAttempt: attempt + 1)
                let hosts = pool.available
                guard hosts.count >= minHosts else {
                    return giveUp(after: attempt, cause: cause, reason: "\(hosts.count) host(s) left, fewer than --min-hosts \(minHosts)", failures: failures)
                }
                mapping = RankMapping(hosts: hosts, ranksPerHost: ranksPerHost)
                log("attempt \(attempt) failed: \(cause); restart \(attempt)/\(maxRestarts) on \(Self.describe(mapping)) "
                    + "from the newest checkpoint in \(train.checkpointDirectory): \(hosts.joined(separator: ", "))")
                attempt += 1
            }
        }
    }

    /// Runs one attempt to its end, forwarding its output, and records it in launch.jsonl.
    private func runAttempt(_ attempt: Int, mapping: RankMapping, hostfile: String) throws -> (Int32, AttemptOutcome) {
        if starter.needsHostfile {
            try Hostfile.text(hosts: mapping.hosts, slots: mapping.ranksPerHost).write(toFile: hostfile, atomically: true, encoding: .utf8)
        }
        let command = starter.command(mapping: mapping, hostfile: hostfile, executable: executable, arguments: train.arguments)
        let watch = AttemptWatch()
        let started = Date()
        let job = try ChildProcess(command, forward: true) { watch.record($0) }
        LaunchSignals.setJob(job.pid)
        var status: Int32?
        while status == nil {
            status = job.wait(timeout: 0.5)
            if status == nil, let fault = watch.faultSeen, Date().timeIntervalSince(fault) > Self.faultGrace {
                log("attempt \(attempt): the job is still running \(Int(Self.faultGrace)) s after a fault; killing it")
                status = job.terminate(grace: 5)
            }
        }
        LaunchSignals.setJob(nil)
        job.finishOutput(timeout: 3)
        let outcome = AttemptClassifier(mapping: mapping).classify(status: status!, lines: watch.lines, stopRequested: LaunchSignals.stopRequested)
        if case .fault = outcome { job.killLeftovers() }
        let record = LaunchRecord(attempt: attempt, mapping: mapping, started: Int(started.timeIntervalSince1970),
                                  ended: Int(Date().timeIntervalSince1970), status: status!, outcome: outcome)
        do {
            try record.append(to: train.checkpointDirectory + "/launch.jsonl")
        } catch {
            log("cannot append to \(train.checkpointDirectory)/launch.jsonl: \(error)")
        }
        return (status!, outcome)
    }

    /// Probes the hosts excluded at least two attempts ago; those that answer in time are used again.
    private mutating func probeExcludedHosts(beforeAttempt attempt: Int) {
        for host in pool.hostsToProbe(beforeAttempt: attempt) {
            guard let probe = try? ChildProcess(starter.probe(host: host), forward: false, onLine: { _ in }) else { continue }
            let status = probe.wait(timeout: Self.probeTimeout) ?? probe.terminate(grace: 1)
            probe.killLeftovers()
            probe.finishOutput(timeout: 1)
            if status == 0 {
                pool.readmit(host)
                log("host \(host) answers again; using it")
            } else {
                log("host \(host) still does not answer (probe status \(status)); still excluded")
            }
        }
    }

    private func giveUp(after attempt: Int, cause: String, reason: String, failures: [String]) -> Int32 {
        log("attempt \(attempt) failed: \(cause); \(reason); giving up after \(attempt) attempt(s):")
        FileHandle.standardError.write(Data(failures.map { $0 + "\n" }.joined().utf8))
        return 1
    }

    private static func describe(_ mapping: RankMapping) -> String {
        "\(mapping.hosts.count) host(s) (\(mapping.ranks) rank(s))"
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data("cohort launch: \(message)\n".utf8))
    }
}
