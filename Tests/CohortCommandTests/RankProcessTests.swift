import CohortTestSupport
import Foundation
import Testing

/// Ranks keep the name `cohort` in `ps`, `top`, `pgrep` and Slurm's views, also after each has
/// re-executed itself to give OpenBLAS its settings.
@Suite struct RankProcessTests {
    static func read(_ path: String) -> String {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    @Test func everyRankUnderMpirunIsNamedCohort() throws {
        try #require(ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"] == nil,
                     "the ranks re-execute only to set OPENBLAS_THREAD_TIMEOUT; with it already set this test proves nothing")
        let directory = TemporaryDirectory.make()
        var names: [Int32: String] = [:]
        let run = try CommandRunner.run(CommandRunner.mpirun(2, ["train", "--limit", "512", "--max-steps", "40", "--batch-size", "32",
                                                                 "--holdout", "64", "--eval-limit", "64", "--threads", "1",
                                                                 "--checkpoint-dir", directory]), timeout: 180) { mpirun in
            // The ranks, once re-executed: their starting environment carries the variable they set.
            let deadline = Date().addingTimeInterval(90)
            while Date() < deadline && mpirun.isRunning {
                let ranks = CommandRunner.pids(matching: [CommandRunner.cohort, directory]).filter { $0 != mpirun.processIdentifier }
                let reexecuted = ranks.filter { Self.read("/proc/\($0)/environ").contains("OPENBLAS_THREAD_TIMEOUT=") }
                if ranks.count == 2 && reexecuted.count == 2 {
                    for pid in ranks { names[pid] = Self.read("/proc/\(pid)/comm").trimmingCharacters(in: .whitespacesAndNewlines) }
                    return
                }
                usleep(100_000)
            }
        }
        #expect(run.status == 0, "\(run)")
        #expect(names.count == 2, "both ranks seen after re-executing: \(names)")
        for (pid, name) in names { #expect(name == "cohort", "rank pid \(pid) is named '\(name)'") }
    }
}
