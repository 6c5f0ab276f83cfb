import CohortCore
import CohortData
import CohortDistributed
import CohortTrace
import Foundation

extension Trainer {
    /// Runs the rest of the current epoch, evaluates, decides and checkpoints. Returns why the run
    /// stops early, or nil to go on.
    func runEpoch(sampler: ShardSampler) throws -> Ending? {
        let epoch = state.epoch, steps = sampler.stepsPerEpoch
        let schedule = configuration.learningRateSchedule
        let batches = sampler.epochBatches(epoch: epoch, fromStep: state.stepInEpoch)
        let loader = BatchLoader(dataset: data.train, batches: batches, augmentation: configuration.augmentation,
                                 seed: configuration.seed, epoch: epoch, threads: configuration.threads)
        var tally = EpochTally(checkpointMetrics: state.metrics)
        let epochStart = StepTimings.now()
        var learningRate = 0.0

        while true {
            let waitStart = StepTimings.now()
            guard let batch = try loader.next() else { break }
            learningRate = schedule.rate(epoch: epoch, step: state.stepInEpoch, stepsPerEpoch: steps) * state.plateau.scale
            let result = try step.run(images: batch.images, labels: batch.labels, keys: batch.keys,
                                      learningRate: learningRate, globalStep: state.globalStep, dataWait: StepTimings.now() - waitStart)
            if result.nonFinite { throw TrainingError.nonFiniteLoss(step: state.globalStep, epoch: epoch) }
            tally.add(result, count: batch.count)
            state.stepInEpoch += 1
            state.globalStep += 1
            state.optimizerSteps = optimizer.stepCount
            let elapsed = StepTimings.now() - epochStart
            callbacks.forEach {
                $0.batchEnded(epoch: epoch, step: state.stepInEpoch, stepsPerEpoch: steps, loss: result.lossSum / Double(batch.count),
                              accuracy: Double(result.correct) / Double(batch.count),
                              imagesPerSecond: tally.images * Double(communicator.size) / max(elapsed, 1e-9))
            }
            let reachedMax = configuration.maxSteps.map { state.globalStep >= $0 } ?? false
            if result.stopRequested || reachedMax {
                state.metrics = tally.checkpointMetrics
                try saveCheckpoint(names: ["last"])
                note(result.stopRequested ? "stop signal received: saved \(store?.path("last") ?? "no checkpoint (no --checkpoint-dir)") at global step \(state.globalStep)"
                                  : "reached --max-steps \(state.globalStep)")
                return result.stopRequested ? .signalled : .maxSteps
            }
        }
        tally.seconds = StepTimings.now() - epochStart
        return try finishEpoch(tally: tally, learningRate: learningRate)
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

    /// Rank 0 writes the current state under `names` (no-op without a checkpoint directory).
    func saveCheckpoint(names: [String]) throws {
        guard communicator.rank == 0, let store else { return }
        try StepTrace.measure("checkpoint " + names.joined(separator: ", "), category: "checkpoint") {
            try store.save(state: state, arena: network.arena, optimizer: optimizer, names: names)
        }
    }
}
