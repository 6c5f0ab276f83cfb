import CohortCore
import CohortTestSupport
import CohortTraining
import Foundation
import Testing

/// Records the events the trainer raises.
final class EventRecorder: TrainingCallback {
    var events: [String] = []
    func fitStarted(epochs: Int, stepsPerEpoch: Int, startEpoch: Int, startGlobalStep: Int) { events.append("fit \(epochs)x\(stepsPerEpoch) from \(startEpoch)") }
    func batchEnded(_ progress: StepProgress) {
        if progress.step == progress.stepsPerEpoch { events.append("last batch \(progress.epoch)") }
    }
    func epochEnded(_ metrics: EpochMetrics, history: [[String: Double]]) { events.append("epoch \(metrics.epoch) \(history.count)") }
    func fitEnded(test: EvaluationResult?) { events.append("end \(test?.samples ?? -1)") }
}

@Suite struct TrainerTests {
    @Test func loopRaisesEventsLearnsAndWritesItsFiles() throws {
        let directory = TemporaryDirectory.make()
        let recorder = EventRecorder()
        let log = MetricsLog(path: directory + "/metrics.jsonl")
        let curves = CurvesPlot(path: directory + "/curves.svg")
        var c = TrainingFixtures.configuration(directory: directory, epochs: 3)
        c.keep = 2
        let (_, result) = try TrainingFixtures.train(c, callbacks: [recorder, log, curves])
        #expect(recorder.events == ["fit 3x16 from 0", "last batch 0", "epoch 0 1", "last batch 1", "epoch 1 2", "last batch 2", "epoch 2 3", "end 10000"])
        #expect(result.ending == .completed)
        let losses = result.history.compactMap { $0["loss"] }
        #expect(losses.count == 3 && losses[2] < losses[0], "losses \(losses)")
        #expect((result.test?.accuracy ?? 0) > 0.5, "a tiny CNN on 512 images beats 50% on the test set")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(files.isSuperset(of: ["last.safetensors", "epoch-0002.safetensors", "epoch-0003.safetensors", "metrics.jsonl", "curves.svg"]))
        #expect(!files.contains("epoch-0001.safetensors"), "--keep 2 prunes older epoch files")
        let lines = try String(contentsOfFile: directory + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(Set(first.map { Array($0.keys) } ?? []).isSuperset(of: ["epoch", "step", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "images_per_sec", "seconds"]))
        #expect(try String(contentsOfFile: directory + "/curves.svg", encoding: .utf8).contains("<polyline"))
    }

    @Test func checkpointMinutesWritesStepCheckpointsThatResumeBitwise() throws {
        let straight = TemporaryDirectory.make(), timed = TemporaryDirectory.make()
        let (reference, _) = try TrainingFixtures.train(TrainingFixtures.configuration(directory: straight, epochs: 1))
        var c = TrainingFixtures.configuration(directory: timed, epochs: 1)
        c.checkpointMinutes = 1e-9   // due after every step
        c.maxSteps = 7
        _ = try TrainingFixtures.train(c)
        let steps = try FileManager.default.contentsOfDirectory(atPath: timed).filter { $0.hasPrefix("step-") }.sorted()
        #expect(steps == [4, 5, 6].map { CheckpointStore.stepName($0) + ".safetensors" }, "the newest 3 of steps 1…6: \(steps)")
        try FileManager.default.removeItem(atPath: timed + "/last.safetensors")   // resume from step 6
        let (resumed, _) = try TrainingFixtures.train(TrainingFixtures.configuration(directory: timed, epochs: 1), resume: "auto")
        #expect(Array(resumed.arena.values) == Array(reference.arena.values))
        #expect(Array(resumed.arena.bufferValues) == Array(reference.arena.bufferValues))
    }

    @Test(arguments: [TrainingConfiguration.OptimizerKind.sgd, .lars, .lamb])
    func interruptedAndResumedRunEqualsUninterruptedBitwise(optimizer: TrainingConfiguration.OptimizerKind) throws {
        let straight = TemporaryDirectory.make(), interrupted = TemporaryDirectory.make()
        func configuration(_ directory: String) -> TrainingConfiguration {
            var c = TrainingFixtures.configuration(directory: directory, epochs: 2)
            c.optimizer = optimizer
            c.weightDecay = 1e-4
            if optimizer == .lars { (c.learningRate, c.trustCoefficient) = (1, 0.02) }
            if optimizer == .lamb { c.learningRate = 0.02 }
            return c
        }
        let (reference, _) = try TrainingFixtures.train(configuration(straight))
        var first = configuration(interrupted)
        first.maxSteps = 21   // stops in the middle of epoch 2
        let (_, partial) = try TrainingFixtures.train(first)
        #expect(partial.ending == .maxSteps)
        let (resumed, result) = try TrainingFixtures.train(configuration(interrupted), resume: "auto")
        #expect(result.ending == .completed)
        let losses = result.history.compactMap { $0["loss"] }
        #expect(losses.count == 2 && losses[1] < losses[0], "\(optimizer) lowers the training loss: \(losses)")
        #expect(Array(resumed.arena.values) == Array(reference.arena.values))
        #expect(Array(resumed.arena.bufferValues) == Array(reference.arena.bufferValues))
    }

    @Test func resumeRefusesAnotherConfiguration() throws {
        let directory = TemporaryDirectory.make()
        var c = TrainingFixtures.configuration(directory: directory, epochs: 1)
        c.maxSteps = 2
        _ = try TrainingFixtures.train(c)
        c.globalBatch = 64
        #expect { _ = try TrainingFixtures.train(c, resume: "auto") } throws: { "\($0)".contains("global batch size") }
    }

    @Test func nonFiniteLossStopsNamingTheStep() throws {
        var c = TrainingFixtures.configuration(directory: nil, epochs: 1)
        c.learningRate = 1e30
        #expect { _ = try TrainingFixtures.train(c) } throws: { "\($0)".contains("NaN or infinite at global step") }
    }
}
