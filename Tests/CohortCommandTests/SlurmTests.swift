import CohortTestSupport
import Foundation
import Testing

/// deploy/slurm/train.sbatch on a real single-node Slurm started by scripts/slurm-local.sh: a
/// 2-task `srun --mpi=pmix` job, pre-empted after epoch 1, requeued and resumed. Runs where Slurm
/// is installed (`apt-get install slurm-wlm munge`) and we are root; skipped otherwise.
@Suite struct SlurmTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/slurm-local.sh").path

    static var slurmAvailable: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/slurmctld") }

    @Test(.enabled(if: slurmAvailable, "needs root and Slurm (slurm-wlm, munge) installed"))
    func preemptedBatchJobRequeuesAndResumes() throws {
        let run = try CommandRunner.run([Self.script], timeout: 600, environment: ["COHORT": CommandRunner.cohort, "PREEMPT": "1"])
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("2 rank(s)"), "\(run)")
        #expect(run.output.contains("stop signal received"), "\(run)")
        #expect(run.output.contains("resumed from"), "\(run)")
        #expect(run.output.contains("test accuracy: 0."), "\(run)")
    }
}
