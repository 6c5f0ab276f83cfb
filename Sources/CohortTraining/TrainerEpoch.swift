import CohortCore
import CohortData
import CohortDistributed
import CohortRandom
import CohortTrace
import Foundation

extension Trainer {
    /// Runs the rest of the current epoch, evaluates, decides and checkpoints. Returns why the run
    /// stops early, or nil to go on.
    func runEpoch(sampler: ShardSampler) throws -> Ending? {
        let epoch = state.epoch, steps = sampler.stepsPerEpoch
        let schedule = configuration.learningRateSchedule
        state.stepInEpoch = min(state.stepInEpoch, steps)   // a dataset that shrank since the checkpoint
        let batches = sampler.epochBatches(epoch: epoch, fromStep: state.stepInEpoch)
        let loader = BatchLoader(dataset: data.train, batches: batches, augmentation: configuration.augmentation,
                                 seed: configuration.seed, epoch: epoch, threads: configuration.threads)
        var tally = EpochTally(checkpointMetrics: state.metrics)
        let epochStart = StepTimings.now()
        var learningRate = 0.0, stepsRun = 0

        for _ in batches {
            let waitStart = StepTimings.now()
            let loaded: Batch?, failure: (any Error)?
            do { (loaded, failure) = (try loader.next(), nil) } catch { (loaded, failure) = (nil, error) }
            let batch = loaded ?? placeholder(count: sampler.localBatch)
            learningRate = schedule.rate(epoch: epoch, step: state.stepInEpoch, stepsPerEpoch: steps) * state.plateau.scale
            let result = try step.run(images: batch.images, labels: batch.labels, keys: batch.keys, learningRate: learningRate,
                                      globalStep: state.globalStep, dataWait: StepTimings.now() - waitStart, badBatch: failure != nil)
            if result.dataError { try stopForBadSample(failure, tally: tally) }
            if result.nonFinite { throw StepFailure.nonFiniteLoss(step: state.globalStep, epoch: epoch) }
            tally.add(result, count: batch.count)
            state.stepInEpoch += 1
            state.globalStep += 1
            state.optimizerSteps = optimizer.stepCount
            stepsRun += 1
            let elapsed = StepTimings.now() - epochStart
            let progress = StepProgress(
                epoch: epoch, epochs: configuration.epochs, step: state.stepInEpoch, stepsPerEpoch: steps, globalStep: state.globalStep,
                loss: result.lossSum / Double(batch.count), accuracy: Double(result.correct) / Double(batch.count),
                imagesPerSecond: Double(stepsRun * configuration.effectiveBatch) / max(elapsed, 1e-9), secondsThisEpoch: elapsed, stepsThisEpoch: stepsRun)
            callbacks.forEach { $0.batchEnded(progress) }
            let reachedMax = configuration.maxSteps.map { state.globalStep >= $0 } ?? false
            if result.stopRequested || reachedMax {
                state.metrics = tally.checkpointMetrics
                try saveCheckpoint(names: ["last"], wait: true)
                note(result.stopRequested ? "stop signal received: saved \(store?.path("last") ?? "no checkpoint (no --checkpoint-dir)") at global step \(state.globalStep)"
                                  : "reached --max-steps \(state.globalStep)")
                tally.seconds = StepTimings.now() - epochStart
                try reportPartialEpoch(tally: tally, fraction: Double(state.stepInEpoch) / Double(steps), learningRate: learningRate,
                                       validate: !result.stopRequested)
                return result.stopRequested ? .signalled : .maxSteps
            }
            if state.stepInEpoch < steps && checkpointDue() {
                state.metrics = tally.checkpointMetrics
                try saveCheckpoint(names: [CheckpointStore.stepName(state.globalStep)])
            }
        }
        tally.seconds = StepTimings.now() - epochStart
        return try finishEpoch(tally: tally, learningRate: learningRate)
    }

    /// A bad sample on some rank: rank 0 saves the state after the last completed step, every
    /// rank learns every failing rank's message, and all stop together.
    private func stopForBadSample(_ failure: (any Error)?, tally: EpochTally) throws -> Never {
        state.metrics = tally.checkpointMetrics
        try saveCheckpoint(names: ["last"], wait: true)
        let messages = try communicator.allgather(Array((failure.map { "\($0)" } ?? "").utf8))
        let failures = messages.enumerated().filter { !$0.element.isEmpty }.map { (rank: $0.offset, message: String(decoding: $0.element, as: UTF8.self)) }
        throw StepFailure.badSample(step: state.globalStep, epoch: state.epoch, failures: failures, checkpoint: store?.path("last"))
    }

    /// Zeros in place of a batch this rank could not load: the step still runs, so that every rank
    /// issues the same collectives, and its update is discarded.
    private func placeholder(count: Int) -> Batch {
        let images = Tensor(zeros: network.inputShape.batched(count))
        placeholderImages = images
        return Batch(images: UnsafeBufferPointer(images.values), labels: [Int32](repeating: 0, count: count),
                     keys: (0..<count).map { SampleKey(seed: configuration.seed, epoch: state.epoch, index: $0) })
    }

    /// Whether `--checkpoint-every` or `--checkpoint-minutes` asks for a checkpoint after this step
    /// (every rank computes it; only rank 0's answer matters, since only rank 0 writes).
    private func checkpointDue() -> Bool {
        if let every = configuration.checkpointEverySteps, state.globalStep % every == 0 { return true }
        if let minutes = configuration.checkpointMinutes, StepTimings.now() - lastCheckpointTime >= minutes * 60 { return true }
        return false
    }

    /// A run stopping mid-epoch: the unfinished epoch's metrics (with validation unless the job
    /// is being pre-empted) go to the callbacks, so the metrics log and curves cover it.
    private func reportPartialEpoch(tally: EpochTally, fraction: Double, learningRate: Double, validate: Bool) throws {
        let totals = try communicator.sum(tally)
        let validation = validate ? try data.validation.map { try evaluate($0) } : nil
        var metrics = EpochMetrics(
            epoch: state.epoch, globalStep: state.globalStep, loss: totals.loss, accuracy: totals.accuracy, validation: validation,
            learningRate: learningRate, imagesPerSecond: totals.images / max(totals.seconds / Double(communicator.size), 1e-9),
            seconds: totals.seconds / Double(communicator.size))
        metrics.fraction = fraction
        callbacks.forEach { $0.stoppedMidEpoch(metrics, history: state.history) }
    }

    /// Epoch end: reduce metrics, share BatchNorm statistics, prove replicas equal, evaluate, decide, checkpoint.
    private func finishEpoch(tally: EpochTally, learningRate: Double) throws -> Ending? {
        let totals = try communicator.sum(tally)
        // Running statistics are computed on each rank's slice; rank 0's become everyone's (as DDP does).
        try communicator.broadcast(UnsafeMutableRawBufferPointer(network.arena.bufferValues), root: 0)
        try ReplicaCheck.verify(UnsafeBufferPointer(network.arena.values), communicator: communicator)

        let epoch = state.epoch
        let validation = try data.validation.map { try evaluate($0) }
        let metrics = EpochMetrics(
            epoch: epoch, globalStep: state.globalStep, loss: totals.loss, accuracy: totals.accuracy,
            validation: validation, learningRate: learningRate,
            imagesPerSecond: totals.images / max(totals.seconds / Double(communicator.size), 1e-9), seconds: totals.seconds / Double(communicator.size))
        state.history.append(metrics.record)
        state.metrics = metrics.record
        state.epoch += 1
        state.stepInEpoch = 0

        if configuration.plateau != nil {
            let monitored = validation?.loss ?? metrics.loss
            let base = configuration.learningRateSchedule.rate(epoch: epoch + 1)
            if state.plateau.update(metric: monitored, base: base) {
                note("plateau: learning rate reduced to \(base * state.plateau.scale)")
            }
        }
        var names = ["last", CheckpointStore.epochName(epoch + 1)]
        let accuracy = validation?.accuracy ?? metrics.accuracy
        if state.bestAccuracy.map({ accuracy > $0 }) ?? true {
            state.bestAccuracy = accuracy
            state.epochsWithoutImprovement = 0
            if configuration.saveBest { names.append("best") }
        } else {
            state.epochsWithoutImprovement += 1
        }
        try saveCheckpoint(names: names)
        callbacks.forEach { $0.epochEnded(metrics, history: state.history) }
        if let patience = configuration.earlyStopPatience, state.epochsWithoutImprovement >= patience {
            note("early stopping: no improvement of accuracy for \(patience) epochs")
            return .earlyStopped(epoch: epoch)
        }
        return nil
    }

    /// Rank 0 copies the current state and writes it under `names` in the background (no-op
    /// without a checkpoint directory); with `wait`, returns once the file is on disk.
    func saveCheckpoint(names: [String], wait: Bool = false) throws {
        lastCheckpointTime = StepTimings.now()
        guard let writer else { return }
        try writer.submit(state: state, arena: network.arena, optimizer: optimizer, names: names)
        if wait { try writer.flush() }
    }
}
