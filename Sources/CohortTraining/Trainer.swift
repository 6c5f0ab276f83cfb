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
public final class Trainer {
    public let configuration: TrainingConfiguration
    public let network: Network
    public let data: DatasetSplits
    public let communicator: any Communicator
    public let callbacks: [any TrainingCallback]
    /// Where notes for the user go (rank 0 only).
    public let note: (String) -> Void

    let optimizer: any Optimizer
    let step: TrainingStep
    let store: CheckpointStore?
    var state: CheckpointState
    /// Where this rank's step time went so far.
    public var timings: StepTimings { step.timings }

    public init(configuration: TrainingConfiguration, network: Network, data: DatasetSplits, communicator: any Communicator,
                callbacks: [any TrainingCallback] = [], note: @escaping (String) -> Void = Console.line) throws {
        guard configuration.globalBatch % communicator.size == 0 else {
            throw TrainingError.invalidConfiguration("--batch-size \(configuration.globalBatch) is not divisible by the \(communicator.size) ranks")
        }
        self.configuration = configuration
        self.network = network
        self.data = data
        self.communicator = communicator
        self.callbacks = communicator.rank == 0 ? callbacks : []
        self.note = communicator.rank == 0 ? note : { _ in }
        optimizer = configuration.makeOptimizer(arena: network.arena)
        step = TrainingStep(network: network, optimizer: optimizer, communicator: communicator, globalBatch: configuration.globalBatch,
                            threads: configuration.threads, labelSmoothing: configuration.labelSmoothing,
                            bucketBytes: configuration.bucketBytes, overlapCommunication: configuration.overlapCommunication,
                            synchronizeBatchNorm: configuration.synchronizeBatchNorm)
        store = configuration.checkpointDirectory.map { CheckpointStore(directory: $0, keep: configuration.keep) }
        state = CheckpointState(
            model: configuration.model, classes: network.outputShape.count, inputShape: network.inputShape.dims,
            classNames: data.train.classNames, datasetIdentity: data.identity, epoch: 0, stepInEpoch: 0, globalStep: 0,
            worldSize: communicator.size, globalBatch: configuration.globalBatch, seed: configuration.seed,
            optimizer: optimizer.kind, optimizerSteps: 0, plateau: configuration.plateau ?? ReduceOnPlateau(),
            bestAccuracy: nil, epochsWithoutImprovement: 0, metrics: [:], history: [])
    }

    /// How a run ended.
    public enum Outcome: Sendable, Equatable {
        case completed
        case earlyStopped(epoch: Int)
        case maxSteps
        case signalled
    }

    /// The result of `run`.
    public struct Result: Sendable {
        public var outcome: Outcome
        public var test: EvaluationResult?
        public var history: [[String: Double]]
        public var checkpoint: String?
    }

    /// Runs training from scratch or from `resume` (a path, or "auto" for the newest valid checkpoint in the directory).
    public func run(resume: String? = nil) throws -> Result {
        try RankAgreement.verify(fields: configuration.agreementFields(network: network, data: data), communicator: communicator)
        try start(resume: resume)
        let sampler = try ShardSampler(count: data.train.count, globalBatch: configuration.globalBatch,
                                       worldSize: communicator.size, rank: communicator.rank, seed: configuration.seed)
        guard sampler.stepsPerEpoch > 0 else {
            throw TrainingError.invalidConfiguration("--batch-size \(configuration.globalBatch) is larger than the \(data.train.count) training samples")
        }
        callbacks.forEach { $0.fitStarted(epochs: configuration.epochs, stepsPerEpoch: sampler.stepsPerEpoch, startEpoch: state.epoch) }
        var outcome = Outcome.completed
        while state.epoch < configuration.epochs {
            let stop = try runEpoch(sampler: sampler)
            if let stop {
                outcome = stop
                break
            }
        }
        if outcome == .completed || outcome == .earlyStopped(epoch: state.epoch - 1) {
            note("training finished after \(state.epoch) epochs, \(state.globalStep) steps")
        }
        // A stop signal means the job is being pre-empted: exit promptly, the checkpoint is written.
        let test = outcome == .signalled ? nil : try data.test.map { try evaluate($0) }
        callbacks.forEach { $0.fitEnded(test: test) }
        return Result(outcome: outcome, test: test, history: state.history, checkpoint: store?.path("last"))
    }

    func evaluate(_ dataset: any ImageDataset) throws -> EvaluationResult {
        try Evaluator.evaluate(network: network, dataset: dataset, communicator: communicator,
                               localBatch: configuration.globalBatch / communicator.size, threads: configuration.threads)
    }
}
