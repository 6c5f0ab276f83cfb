import CohortCore
import CohortTestSupport
import CohortTraining
import Foundation
import Testing

/// The benchmark commands run alone and under `mpirun -np 2` and report what they promise
/// (never asserting on speed).
@Suite(.serialized) struct BenchCommandTests {
    static func object(_ output: String) throws -> [String: Any] {
        let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") })
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func benchReportsThroughputAloneAndAcrossRanks() throws {
        let arguments = ["bench", "--model", "lenet5", "--batch-size", "16", "--steps", "2", "--warmup", "1", "--json"]
        let alone = try CommandRunner.run([CommandRunner.cohort] + arguments + ["--threads", "1"], timeout: 120)
        #expect(alone.status == 0, "\(alone)")
        let one = try Self.object(alone.output)
        #expect(one["ranks"] as? Int == 1 && one["batch_size"] as? Int == 16 && one["threads_per_rank"] as? Int == 1)
        #expect((one["images_per_sec"] as? Double ?? 0) > 0)
        #expect(one["windows"] as? Int == 1)
        let pair = try CommandRunner.run(CommandRunner.mpirun(2, arguments + ["--windows", "3"]), timeout: 120)
        #expect(pair.status == 0, "\(pair)")
        let two = try Self.object(pair.output)
        #expect(two["ranks"] as? Int == 2 && (two["per_rank"] as? [Any])?.count == 2)
        #expect(two["windows"] as? Int == 3 && two["steps_per_window"] as? Int == 2)
        let first = try #require((two["per_rank"] as? [[String: Any]])?.first)
        let split = try #require(first["step_ms"] as? [String: Double])
        #expect(Set(split.keys) == ["data", "forward", "backward", "communication", "optimizer"])
        // A rank's img/s is its median window's.
        let windows = try #require(first["window_images_per_sec"] as? [Double])
        #expect(windows.count == 3)
        #expect(first["images_per_sec"] as? Double == windows.sorted()[1])
    }

    /// A rank's default thread count follows its CPU binding: bound to one CPU (`taskset -c 0`, as
    /// `mpirun --bind-to core` does), it runs one thread on any machine; unbound, cores / ranks.
    @Test func defaultThreadsFollowTheCPUBinding() throws {
        let arguments = [CommandRunner.cohort, "bench", "--model", "lenet5", "--batch-size", "4", "--steps", "1", "--warmup", "0", "--json"]
        let bound = try CommandRunner.run(["taskset", "-c", "0"] + arguments, timeout: 120)
        #expect(bound.status == 0, "\(bound)")
        #expect(try Self.object(bound.output)["threads_per_rank"] as? Int == 1)
        let free = try CommandRunner.run(arguments, timeout: 120)
        #expect(try Self.object(free.output)["threads_per_rank"] as? Int == ProcessInfo.processInfo.activeProcessorCount)
    }

    /// `cohort` never trains on OpenBLAS kernels older than the CPU's AVX2 or AVX-512, even where
    /// OpenBLAS misdetects the CPU (VMs that hide the model), and a user's OPENBLAS_CORETYPE wins.
    @Test func benchRunsTheBestBLASKernelsTheCPUSupports() throws {
        let arguments = [CommandRunner.cohort, "bench", "--model", "lenet5", "--batch-size", "4", "--steps", "1", "--warmup", "0", "--json"]
        let run = try CommandRunner.run(arguments, timeout: 60)
        #expect(run.status == 0, "\(run)")
        let core = try #require(try Self.object(run.output)["blas_core"] as? String)
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil {
            #expect(BLASCore.preferred(detected: core, vectorLevel: BLASCore.cpuVectorLevel) == nil,
                    "kernels \(core) on a CPU of vector level \(BLASCore.cpuVectorLevel)")
        }
        let forced = try CommandRunner.run(arguments, timeout: 60, environment: ["OPENBLAS_CORETYPE": "Prescott"])
        #expect(try Self.object(forced.output)["blas_core"] as? String == "Prescott", "\(forced)")
    }

    /// OpenBLAS's idle workers sleep at once (they would spin ~0.1 s after every GEMM, taking the
    /// cores the rank's own threads need), unless the user set OPENBLAS_THREAD_TIMEOUT.
    @Test func benchRunsWithSleepingBLASWorkersUnlessTheUserChose() throws {
        let arguments = [CommandRunner.cohort, "bench", "--model", "lenet5", "--batch-size", "4", "--steps", "1", "--warmup", "0", "--json"]
        if ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"] == nil {
            let run = try CommandRunner.run(arguments, timeout: 60)
            #expect(try Self.object(run.output)["openblas_thread_timeout"] as? String == LoadTimeSettings.threadTimeout, "\(run)")
        }
        let chosen = try CommandRunner.run(arguments, timeout: 60, environment: ["OPENBLAS_THREAD_TIMEOUT": "20"])
        #expect(try Self.object(chosen.output)["openblas_thread_timeout"] as? String == "20", "\(chosen)")
    }

    @Test func benchRejectsABatchSmallerThanTheRanks() throws {
        let run = try CommandRunner.run(CommandRunner.mpirun(2, ["bench", "--model", "lenet5", "--batch-size", "1", "--steps", "1"]), timeout: 60)
        #expect(run.status != 0)
        #expect(run.output.contains("--batch-size 1 is smaller than the 2 ranks"), "\(run)")
    }

    @Test func allreduceBenchmarkComparesEverySize() throws {
        let run = try CommandRunner.run(CommandRunner.mpirun(2, ["bench-allreduce", "--sizes", "4,256", "--seconds", "0.05"]), timeout: 60)
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("       4 KB") && run.output.contains("     256 KB"), "\(run)")
    }

    @Test func benchCheckpointsInTheBackgroundAsTrainingDoes() throws {
        let directory = TemporaryDirectory.make()
        let run = try CommandRunner.run([CommandRunner.cohort, "bench", "--model", "lenet5", "--steps", "4", "--warmup", "1",
                                         "--checkpoint-every", "2", "--checkpoint-dir", directory], timeout: 60)
        #expect(run.status == 0, "\(run)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(files == ["step-00000002.safetensors", "step-00000004.safetensors"], "\(files)")
        let state = try CheckpointStore.inspect(path: directory + "/step-00000004.safetensors")
        #expect(state.globalStep == 4 && state.optimizerSteps == 4)
    }

    @Test func benchPredictsScalingFromItsOwnStep() throws {
        let run = try CommandRunner.run([CommandRunner.cohort, "bench", "--model", "lenet5", "--steps", "2", "--warmup", "1",
                                         "--simulate-nodes", "4,64", "--network", "1gbit"], timeout: 60)
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("scaling model: ring allreduce of") && run.output.contains("on 1gbit links"), "\(run)")
        let rows = run.output.split(separator: "\n").filter { $0.hasPrefix("    4 ") || $0.hasPrefix("   64 ") }
        #expect(rows.count == 2, "\(run)")
        let bad = try CommandRunner.run([CommandRunner.cohort, "bench", "--simulate-nodes", "4,x"], timeout: 30)
        #expect(bad.status == 64 && bad.output.contains("--simulate-nodes"), "\(bad)")
    }

    @Test func loaderBenchmarkLoadsThePackagedData() throws {
        let run = try CommandRunner.run([CommandRunner.cohort, "bench-loader", "--model", "fashion-cnn", "--augment", "flip,shift", "--images", "512",
                                         "--threads", "2"], timeout: 60)
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("threads 1:") && run.output.contains("threads 2:") && run.output.contains("512 images"), "\(run)")
    }
}
