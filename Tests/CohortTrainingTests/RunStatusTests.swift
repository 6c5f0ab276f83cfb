import CohortTestSupport
import CohortTraining
import Foundation
import Testing

/// `cohort status`'s report, from the files of a real run.
@Suite struct RunStatusTests {
    @Test func reportsPositionCheckpointsETAAndLauncherAttempts() throws {
        let directory = TemporaryDirectory.make()
        var c = TrainingFixtures.configuration(directory: directory, epochs: 3)
        c.maxSteps = 16 + 5   // 512 samples: 16 steps per epoch; stop in epoch 2
        c.checkpointEverySteps = 4
        _ = try TrainingFixtures.train(c)
        var broken = try Data(contentsOf: URL(fileURLWithPath: directory + "/last.safetensors"))
        broken.removeLast(100)
        try broken.write(to: URL(fileURLWithPath: directory + "/truncated.safetensors"))
        let attempt: [String: Any] = ["attempt": 1, "hosts": ["a", "b"], "ranks": 2, "outcome": "fault", "cause": "rank 1 on host b killed by signal 9",
                                      "status": 137, "started": 0, "ended": 1, "failedHosts": ["b"]]
        try JSONSerialization.data(withJSONObject: attempt).write(to: URL(fileURLWithPath: directory + "/launch.jsonl"))

        let status = try RunStatus(directory: directory)
        let report = status.report
        #expect(status.newest?.state.globalStep == 21)
        #expect(report.contains("position: epoch 2/3, step 5/16 of it, global step 21 (last.safetensors, saved by 1 rank(s))"), "\(report)")
        #expect(report.contains("last epoch: 1  loss "), "\(report)")
        #expect(report.contains("step-00000020.safetensors") && !report.contains("step-00000004.safetensors"), "keeps the last 3: \(report)")
        #expect(report.contains("truncated.safetensors") && report.contains("INVALID"), "\(report)")
        #expect(report.contains("launcher: 1 attempt(s), 0 restart(s)") && report.contains("rank 1 on host b killed by signal 9"), "\(report)")
        let left = try #require(status.secondsLeft)
        let epochSeconds = try #require(status.newest?.state.history.last?["seconds"])
        #expect(abs(left - epochSeconds * Double(48 - 21) / 16) < 1e-9 * max(1, left), "ETA \(left)")
        #expect(report.contains("ETA: "), "\(report)")
    }

    @Test func aMissingDirectoryIsAnErrorNamingIt() {
        #expect { _ = try RunStatus(directory: "/nonexistent/run") } throws: { "\($0)".contains("/nonexistent/run") }
    }
}
