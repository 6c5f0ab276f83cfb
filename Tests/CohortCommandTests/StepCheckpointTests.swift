import CohortData
import CohortTestSupport
import CohortTraining
import Foundation
import Testing

/// Mid-epoch checkpoints (`--checkpoint-every`), any world size, a bad sample mid-epoch and
/// progress in batch logs, each with the real `cohort train` under `mpirun`.
@Suite(.serialized) struct StepCheckpointTests {
    typealias Runs = DistributedTrainingTests

    /// 384 samples, batch 32: 12 steps per epoch, a step checkpoint every 5 steps.
    static let arguments = ["--epochs", "2", "--limit", "384", "--checkpoint-every", "5"]

    @Test func killedMidEpochResumesFromAStepCheckpointBitwiseAndOnThreeRanks() throws {
        let straight = TemporaryDirectory.make(), killed = TemporaryDirectory.make()
        let reference = try CommandRunner.run(CommandRunner.mpirun(2, Runs.trainArguments(straight, extra: Self.arguments)), timeout: 180)
        #expect(reference.status == 0, "\(reference)")
        let interrupted = try CommandRunner.run(CommandRunner.mpirun(2, Runs.trainArguments(killed, extra: Self.arguments)), timeout: 180) { process in
            _ = CommandRunner.waitForFile(killed + "/" + CheckpointStore.stepName(15) + ".safetensors", timeout: 120)
            for pid in CommandRunner.pids(matching: [CommandRunner.cohort, killed]) { kill(pid, SIGKILL) }   // every rank, in epoch 2
            kill(-process.processIdentifier, SIGKILL)
        }
        #expect(interrupted.status != 0)
        let store = CheckpointStore(directory: killed)
        let newest = try #require(store.newestValid())
        #expect(newest.state.globalStep >= 15 && newest.state.globalStep < 24 && newest.state.stepInEpoch > 0,
                "a mid-epoch step checkpoint: \(newest.path) at step \(newest.state.globalStep)")
        let onTwo = TemporaryDirectory.make(), onThree = TemporaryDirectory.make()
        for file in try FileManager.default.contentsOfDirectory(atPath: killed) where file.hasSuffix(".safetensors") {
            for copy in [onTwo, onThree] { try FileManager.default.copyItem(atPath: killed + "/" + file, toPath: copy + "/" + file) }
        }

        let resumed = try CommandRunner.run(CommandRunner.mpirun(2, Runs.trainArguments(killed, extra: Self.arguments + ["--resume", "auto"])), timeout: 180)
        #expect(resumed.status == 0, "\(resumed)")
        #expect(resumed.output.contains("resumed from \(newest.path)"), "\(resumed)")
        let expected = try Runs.weights(straight + "/last.safetensors")
        #expect(try Runs.weights(killed + "/last.safetensors") == expected, "resumed at the same world size: bitwise")

        // 32 samples on 3 ranks (slices of 11, 11 and 10) against 2 ranks, both resumed from the same
        // step checkpoint for two steps: within float rounding. (Over a whole epoch's remaining
        // steps, ReLU and max-pool ties amplify rounding differences past 1e-5 on some CPUs'
        // kernels: 9e-5 and 5e-4 after 9 steps, 1.3e-5 after 3, on an AVX-512 EPYC.)
        let stop = Self.arguments + ["--resume", "auto", "--max-steps", "\(newest.state.globalStep + 2)"]
        let two = try CommandRunner.run(CommandRunner.mpirun(2, Runs.trainArguments(onTwo, extra: stop)), timeout: 180)
        #expect(two.status == 0, "\(two)")
        let three = try CommandRunner.run(CommandRunner.mpirun(3, Runs.trainArguments(onThree, extra: stop)), timeout: 180)
        #expect(three.status == 0, "\(three)")
        #expect(three.output.contains("saved by 2 ranks, now 3"), "\(three)")
        let difference = RelativeDifference.maximum(try Runs.weights(onThree + "/last.safetensors"), try Runs.weights(onTwo + "/last.safetensors"))
        #expect(difference <= 1e-5, "resumed on 3 ranks: max relative difference \(difference)")
    }

    @Test func stepCheckpointsAreKeptToTheLastK() throws {
        let directory = TemporaryDirectory.make()
        let run = try CommandRunner.run([CommandRunner.cohort] + Runs.trainArguments(directory, limit: 384, extra: ["--epochs", "1", "--checkpoint-every", "2", "--keep", "2"]), timeout: 120)
        #expect(run.status == 0, "\(run)")
        let steps = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("step-") }.sorted()
        #expect(steps == [CheckpointStore.stepName(8), CheckpointStore.stepName(10)].map { $0 + ".safetensors" }, "\(steps)")
        for file in steps { _ = try Runs.loadCheckpoint(directory + "/" + file) }
    }

    /// With F(2×2) tiles, whose rounding keeps every ReLU on the same side over five steps (the
    /// default's F(4×4) tiles part the 3-rank run after three, docs/DESIGN.md §4.2).
    @Test func aGlobalBatchThatDoesNotDivideAmongRanksTrainsLikeOneRank() throws {
        let one = TemporaryDirectory.make(), three = TemporaryDirectory.make()
        let steps = ["--max-steps", "5", "--conv", "winograd2x2"]
        let single = try CommandRunner.run([CommandRunner.cohort] + Runs.trainArguments(one, extra: steps), timeout: 120)
        #expect(single.status == 0, "\(single)")
        let split = try CommandRunner.run(CommandRunner.mpirun(3, Runs.trainArguments(three, extra: steps)), timeout: 120)
        #expect(split.status == 0, "\(split)")
        let difference = RelativeDifference.maximum(try Runs.weights(one + "/last.safetensors"), try Runs.weights(three + "/last.safetensors"))
        #expect(difference <= 1e-5, "3 ranks × 11/11/10 vs 1 rank × 32: max relative difference \(difference)")
    }

    @Test func aCorruptImageMidEpochStopsWithACheckpointOfTheLastCompletedStep() throws {
        let folder = TemporaryDirectory.make()
        let convert = try CommandRunner.run([CommandRunner.cohort, "convert", "--out", folder, "--format", "jpeg", "--limit", "320"], timeout: 60)
        #expect(convert.status == 0, "\(convert)")
        // The sample rank 1 meets at step 4 (0-based 3) of epoch 1, with seed 3 and batch 32.
        let dataset = try #require(try DatasetOpener.open(directory: folder, imageShape: ImageShape(channels: 1, height: 28, width: 28),
                                                          holdout: 0, limit: nil, skipBad: false).train as? ImageFolderDataset)
        let sampler = ShardSampler(count: dataset.count, globalBatch: 32, worldSize: 2, rank: 1, seed: 3)
        let bad = dataset.files[sampler.indices(epoch: 0, step: 3)[5]]
        try Data("not a JPEG".utf8).write(to: URL(fileURLWithPath: bad))

        let failed = TemporaryDirectory.make(), stopped = TemporaryDirectory.make()
        func train(_ directory: String, _ extra: [String]) -> [String] {
            Runs.trainArguments(directory, limit: 320, extra: ["--data", folder, "--epochs", "2", "--eval-limit", "64"] + extra)
        }
        let run = try CommandRunner.run(CommandRunner.mpirun(2, train(failed, [])), timeout: 120)
        #expect(run.status == 1, "\(run)")
        #expect(run.output.contains(bad) && run.output.contains("rank 1"), "names the file and the rank: \(run)")
        #expect(run.output.contains("saved \(failed)/last.safetensors after the last completed step (global step 3)"), "\(run)")
        #expect(run.output.components(separatedBy: "could not load the batch").count == 2, "reported once: \(run)")
        // The same 3 steps stopped by --max-steps: the checkpoint holds exactly the last completed step.
        let reference = try CommandRunner.run(CommandRunner.mpirun(2, train(stopped, ["--max-steps", "3"])), timeout: 120)
        #expect(reference.status == 0, "\(reference)")
        let (_, state) = try Runs.loadCheckpoint(failed + "/last.safetensors")
        #expect(state.globalStep == 3 && state.stepInEpoch == 3)
        #expect(try Runs.weights(failed + "/last.safetensors") == (try Runs.weights(stopped + "/last.safetensors")))
        // A run stopped by --max-steps writes what it says it writes: its partial epoch in the metrics log and the curves.
        let records = try String(contentsOfFile: stopped + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(records.count == 1 && records[0]["type"] as? String == "partial_epoch" && records[0]["step"] as? Int == 3, "\(records)")
        #expect((records.first?["epoch"] as? Double).map { abs($0 - 0.3) < 1e-9 } == true, "3 of 10 steps: epoch 0.3 in \(records)")
        #expect(records.first?["loss"] != nil && records.first?["accuracy"] != nil, "\(records)")
        let curves = try String(contentsOfFile: stopped + "/curves.svg", encoding: .utf8)
        #expect(curves.contains("<circle") && curves.contains("epoch (0.30–1.30)"), "the partial epoch is plotted")

        try FileManager.default.removeItem(atPath: bad)
        let resumed = try CommandRunner.run(CommandRunner.mpirun(2, train(failed, ["--resume", "auto"])), timeout: 180)
        #expect(resumed.status == 0, "\(resumed)")
        #expect(resumed.output.contains("resumed from \(failed)/last.safetensors"), "\(resumed)")
        #expect(resumed.output.contains("the dataset changed since"), "\(resumed)")
        #expect(resumed.output.contains("test accuracy: 0."), "\(resumed)")
    }

    @Test func progressLinesReachALogFile() throws {
        let directory = TemporaryDirectory.make()
        let run = try CommandRunner.run([CommandRunner.cohort] + Runs.trainArguments(directory, limit: 4096, extra: ["--log-seconds", "1", "--log-every", "20"]), timeout: 120)
        #expect(run.status == 0, "\(run)")
        let lines = run.output.split(separator: "\n").filter { $0.hasPrefix("progress: epoch 1/1 step ") }
        #expect(lines.count >= max(1, Int(run.seconds) - 8), "a line per second of training: \(run)")
        #expect(lines.allSatisfy { $0.contains("img/s ETA epoch ") && $0.contains(" run ") }, "\(lines)")
        let records = try String(contentsOfFile: directory + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let steps = records.filter { $0["type"] as? String == "step" }.compactMap { $0["global_step"] as? Int }
        #expect(steps == Array(stride(from: 20, through: 120, by: 20)), "step records every 20 of 128 steps: \(steps)")
        #expect(records.filter { $0["type"] == nil }.count == 1, "one epoch record")
    }
}
