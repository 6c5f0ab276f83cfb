import CohortTestSupport
import Foundation
import Testing

/// Training across separate network hosts (namespaces joined by a bridge, OpenMPI over TCP,
/// daemons started by scripts/multinode.sh's rsh agent). Needs root and iproute2; skipped otherwise.
@Suite(.serialized) struct MultiNodeTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/multinode.sh").path

    static var canCreateHosts: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") }

    @Test(.enabled(if: canCreateHosts, "needs root and /usr/sbin/ip to create network namespaces"))
    func twoHostsTrainLikeOneHost() throws {
        let acrossHosts = TemporaryDirectory.make(), oneHost = TemporaryDirectory.make()
        let run = try CommandRunner.run([Self.script, "--hosts", "2", "--", CommandRunner.cohort]
                                        + DistributedTrainingTests.trainArguments(acrossHosts, extra: ["--max-steps", "5"]), timeout: 180)
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("2 hosts"), "\(run)")
        #expect(run.output.contains("layout: 2 host(s) × 1 rank(s)"), "\(run)")
        let local = try CommandRunner.run(CommandRunner.mpirun(2, DistributedTrainingTests.trainArguments(oneHost, extra: ["--max-steps", "5"])), timeout: 180)
        #expect(local.status == 0, "\(local)")
        // Two ranks: every allreduce element is one addition, so TCP and shared memory agree bitwise.
        #expect(try DistributedTrainingTests.weights(acrossHosts + "/last.safetensors")
                == (try DistributedTrainingTests.weights(oneHost + "/last.safetensors")))
    }

    /// 4 hosts × 2 ranks over TCP against 1 rank × 32: eight slices of 4 samples, sums in a tree.
    @Test(.enabled(if: canCreateHosts, "needs root and /usr/sbin/ip to create network namespaces"))
    func fourHostsOfTwoRanksTrainLikeOneRank() throws {
        let acrossHosts = TemporaryDirectory.make(), single = TemporaryDirectory.make()
        let steps = ["--max-steps", "4"]
        let run = try CommandRunner.run([Self.script, "--hosts", "4", "--slots", "2", "--", CommandRunner.cohort]
                                        + DistributedTrainingTests.trainArguments(acrossHosts, extra: steps), timeout: 240)
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("layout: 4 host(s) × 2 rank(s) × 1 thread(s)"), "\(run)")
        let one = try CommandRunner.run([CommandRunner.cohort] + DistributedTrainingTests.trainArguments(single, extra: steps), timeout: 120)
        #expect(one.status == 0, "\(one)")
        let difference = RelativeDifference.maximum(try DistributedTrainingTests.weights(acrossHosts + "/last.safetensors"),
                                                                        try DistributedTrainingTests.weights(single + "/last.safetensors"))
        #expect(difference <= 1e-5, "4 hosts × 2 ranks vs 1 rank: max relative difference \(difference)")
    }

    @Test(.enabled(if: canCreateHosts, "needs root and /usr/sbin/ip to create network namespaces"))
    func ranksRunOnDifferentHostsAndNamespacesAreRemoved() throws {
        let run = try CommandRunner.run([Self.script, "--hosts", "2", "--", CommandRunner.cohort, "comm-check", "--sizes", "1000", "--bucket-kb", "64"], timeout: 120)
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("rank 0 pid") && run.output.contains("size 2 localSize 1"), "one rank per host: \(run)")
        let namespaces = try CommandRunner.run(["ip", "netns", "list"], timeout: 10)
        #expect(!namespaces.output.contains("h1"), "namespaces left behind: \(namespaces.output)")
    }
}
