import CohortCore
import CohortData
import CohortDistributed
import Foundation

/// The coordinator's epoch loop: agree → initialize or resume and broadcast → per epoch {train
/// steps, evaluation, decisions, checkpoint, callbacks} → final test evaluation.
///
/// Every rank runs the same loop on its slice of each global batch; gradients are summed by a
/// bucketed allreduce overlapped with backward; metrics are reduced before any decision, so all
/// ranks decide alike. Rank 0 alone writes checkpoints and calls the callbacks.
package final class Trainer {
    package let configuration: TrainingConfiguration
    package let network: Network
    package let data: DatasetSplits
    package let communicator: any Communicator
    package let callbacks: [any TrainingCallback]
    /// Where notes for the user go (rank 0 only).
    package let note: (String) -> Void

    let optimizer: any Optimizer
    let step: TrainingStep
    let store: CheckpointStore?
    /// Rank 0's background checkpoint writer (nil on other ranks and without a checkpoint directory).
    let writer: CheckpointWriter?
    var state: CheckpointState
    /// When the last checkpoint was taken (`--checkpoint-minutes` counts from it).
    var lastCheckpointTime = StepTimings.now()
    /// Keeps the zeros that stand in for a batch this rank could not load alive during its step.
    var placeholderImages: Tensor?
    /// Where this rank's step time went so far.
    package var timings: StepTimings { step.timings }

    package init(configuration: TrainingConfiguration, network: Network, data: DatasetSplits, communicator: any Communicator,
                callbacks: [any TrainingCallback] = [], note: @escaping (String) -> Void = Console.line) throws {
        try configuration.validate(worldSize: communicator.size, sampleCount: data.train.count)
        guard network.arena.trainableCount > 0 else {
            throw TrainingError.invalidConfiguration("--freeze \(configuration.frozen.joined(separator: ",")) leaves no parameter to train")
        }
        self.configuration = configuration
        self.network = network
        self.data = data
        self.communicator = communicator
        self.callbacks = communicator.rank == 0 ? callbacks : []
        self.note = communicator.rank == 0 ? note : { _ in }
        if configuration.headLearningRateMultiplier != 1 {
            network.scaleLearningRate(under: network.classifier, by: Float(configuration.headLearningRateMultiplier))
        }
        optimizer = configuration.makeOptimizer(arena: network.arena)
        step = TrainingStep(network: network, optimizer: optimizer, communicator: communicator, options: configuration.stepOptions)
        store = configuration.checkpointDirectory.map { CheckpointStore(directory: $0, keep: configuration.keep) }
        writer = communicator.rank == 0 ? store.map(CheckpointWriter.init) : nil
        state = CheckpointState(
            model: configuration.model, classes: network.outputShape.count, inputShape: network.inputShape.dims,
            classNames: data.train.classNames, datasetIdentity: data.identity, epoch: 0, stepInEpoch: 0, globalStep: 0,
            worldSize: communicator.size, globalBatch: configuration.effectiveBatch, seed: configuration.seed,
            optimizer: optimizer.kind, optimizerSteps: 0, plateau: configuration.plateau ?? ReduceOnPlateau(),
            bestAccuracy: nil, epochsWithoutImprovement: 0, metrics: [:], history: [])
    }

    /// How a run ended.
    package enum Ending: Sendable, Equatable {
        case completed
        case earlyStopped(epoch: Int)
        case maxSteps
        case signalled
    }

    /// The result of `run`.
    package struct Result: Sendable {
        package var ending: Ending
        package var test: EvaluationResult?
        package var history: [[String: Double]]
        package var checkpoint: String?
    }

    /// Runs training from scratch or from `resume` (a path, or "auto" for the newest valid checkpoint in the directory).
    package func run(resume: String? = nil) throws -> Result {
        try RankAgreement.verify(fields: configuration.agreementFields(network: network, data: data), communicator: communicator)
        try start(resume: resume)
        let sampler = ShardSampler(count: data.train.count, globalBatch: configuration.effectiveBatch,
                                   worldSize: communicator.size, rank: communicator.rank, seed: configuration.seed)
        state.epochs = configuration.epochs
        state.stepsPerEpoch = sampler.stepsPerEpoch
        callbacks.forEach { $0.fitStarted(epochs: configuration.epochs, stepsPerEpoch: sampler.stepsPerEpoch, startEpoch: state.epoch, startGlobalStep: state.globalStep) }
        var ending = Ending.completed
        while state.epoch < configuration.epochs {
            let stop = try runEpoch(sampler: sampler)
            if let stop {
                ending = stop
                break
            }
        }
        if ending == .completed || ending == .earlyStopped(epoch: state.epoch - 1) {
            note("training finished after \(state.epoch) epochs, \(state.globalStep) steps")
        }
        // A stop signal means the job is being pre-empted: exit promptly, the checkpoint is written.
        try writer?.flush()
        let test = ending == .signalled ? nil : try data.test.map { try evaluate($0) }
        callbacks.forEach { $0.fitEnded(test: test) }
        return Result(ending: ending, test: test, history: state.history, checkpoint: store?.path("last"))
    }

    func evaluate(_ dataset: any ImageDataset) throws -> EvaluationResult {
        try Evaluator.evaluate(network: network, dataset: dataset, communicator: communicator,
                               localBatch: max(1, configuration.globalBatch / communicator.size), threads: configuration.threads)
    }
}
