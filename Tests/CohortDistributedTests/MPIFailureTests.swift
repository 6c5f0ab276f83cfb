import CohortDistributed
import Foundation
import Testing

/// Failure handling under a real 2-rank `mpirun`: a dead, a stalled and a signalled rank.
/// Each job loops steps of 100 ms; the test acts on rank 1 once it has printed step 3.
extension MPIJobTests { @Suite struct Failures {
    static func startLoop(extra: [String] = []) throws -> MPIJob {
        try MPIJob(["-np", "2", MPIJob.cohortExecutable, "comm-check", "--no-collectives",
                    "--steps", "100000", "--sleep-ms", "100"] + extra)
    }

    /// Waits for rank 1 to reach step 3 and returns its pid; records an issue (and kills the job) otherwise.
    static func rankOneMidLoop(_ job: MPIJob) -> pid_t? {
        guard job.waitFor("rank 1 step 3\n", timeout: 60), let pid = job.pid(ofRank: 1) else {
            Issue.record("rank 1 never reached step 3:\n\(job.output)")
            job.killAll()
            return nil
        }
        return pid
    }

    @Test func killedRankEndsTheJobWithinThirtySeconds() throws {
        let job = try Self.startLoop()
        guard let pid = Self.rankOneMidLoop(job) else { return }
        kill(pid, SIGKILL)
        let status = job.waitForExit(timeout: 30)
        #expect(status != nil, "job still running 30 s after rank 1 was killed:\n\(job.output)")
        #expect(status != 0)
    }

    @Test func stalledRankIsNamedWithItsStep() throws {
        let job = try Self.startLoop(extra: ["--stall-timeout", "5"])
        guard let pid = Self.rankOneMidLoop(job) else { return }
        kill(pid, SIGSTOP)
        defer { kill(pid, SIGKILL) }
        let status = job.waitForExit(timeout: 20)
        #expect(status != nil, "job still running 20 s after rank 1 was stopped:\n\(job.output)")
        #expect(status != 0)
        let report = job.output.split(separator: "\n").first { $0.contains("stall at step") }
        #expect(report?.contains("cohort: rank 0: stall at step") == true, "\(job.output)")
        #expect(report?.contains("ranks that did not arrive: rank 1;") == true, "\(job.output)")
        let stallStep = report.flatMap { line in
            line.components(separatedBy: "stall at step ").last?.split(separator: " ").first.flatMap { Int($0) }
        }
        // Rank 0 reports the step it was waiting in: the one after the last it completed before the
        // report. After the abort OpenMPI resumes rank 1 (SIGCONT) before killing it, so the stuck
        // allreduce can still finish and rank 0 print that step too: its last line is the stall step
        // or the one before, never earlier (rank 1 was stopped after step 3).
        let rankZeroLast = job.output.split(separator: "\n").filter { $0.hasPrefix("rank 0 step ") }
            .compactMap { Int($0.split(separator: " ")[3]) }.max() ?? 0
        #expect(stallStep.map { $0 >= 4 && [rankZeroLast, rankZeroLast + 1].contains($0) } == true,
                "stall step \(String(describing: stallStep)), rank 0 last completed \(rankZeroLast)")
    }

    @Test func usr1OnOneRankStopsAllRanksAtTheSameStep() throws {
        let job = try Self.startLoop()
        guard let pid = Self.rankOneMidLoop(job) else { return }
        kill(pid, SIGUSR1)
        let status = job.waitForExit(timeout: 30)
        #expect(status == StopSignal.exitStatus, "\(job.output)")
        let stops = job.output.split(separator: "\n").filter { $0.contains(" stopping at step ") }
        let steps = stops.map { $0.components(separatedBy: "stopping at step ").last ?? "" }
        #expect(stops.count == 2 && Set(steps).count == 1, "\(job.output)")
    }
} }
