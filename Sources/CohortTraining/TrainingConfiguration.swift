import CohortCore
import CohortData

/// Every setting of a training run. All ranks must agree on the fields in `agreementFields`.
public struct TrainingConfiguration: Sendable {
    public enum OptimizerKind: String, Sendable, CaseIterable { case sgd, adam, adamw }

    public var model: String
    public var epochs = 1
    public var globalBatch = 32
    public var learningRate = 0.01
    public var momentum = 0.0
    public var nesterov = false
    public var weightDecay = 0.0
    public var optimizer = OptimizerKind.sgd
    public var schedule = LearningRateSchedule.Kind.constant
    public var plateau: ReduceOnPlateau?
    public var warmupEpochs = 0.0
    public var labelSmoothing = 0.0
    public var augmentation = Augmentation.none
    public var seed: UInt64 = 0
    public var checkpointDirectory: String?
    public var keep = 3
    public var saveBest = false
    public var earlyStopPatience: Int?
    public var maxSteps: Int?
    public var bucketBytes = 25 << 20
    public var overlapCommunication = true
    /// Sync-BN: BatchNorm statistics over the global batch instead of each rank's slice.
    public var synchronizeBatchNorm = false
    public var threads = 1
    public var logPath: String?

    public init(model: String) { self.model = model }

    /// The learning-rate schedule these settings describe.
    public var learningRateSchedule: LearningRateSchedule {
        LearningRateSchedule(base: learningRate, kind: schedule, warmupEpochs: warmupEpochs)
    }

    /// Fields every rank must share before step 1 (the cross-rank configuration hash covers them).
    public func agreementFields(network: Network, data: DatasetSplits) -> [(name: String, value: String)] {
        [
            ("version", CohortVersion.string), ("model", model), ("classes", "\(network.outputShape)"),
            ("input", "\(network.inputShape)"), ("parameters", "\(network.arena.trainableCount)+\(network.arena.bufferCount)"),
            ("dataset", data.identity), ("evaluation", "\(data.validation?.count ?? 0)+\(data.test?.count ?? 0)"), ("batch-size", "\(globalBatch)"), ("seed", "\(seed)"), ("epochs", "\(epochs)"),
            ("optimizer", optimizer.rawValue), ("lr", "\(learningRate)"), ("momentum", "\(momentum)"), ("nesterov", "\(nesterov)"),
            ("weight-decay", "\(weightDecay)"), ("schedule", "\(schedule)"), ("plateau", "\(String(describing: plateau))"),
            ("warmup-epochs", "\(warmupEpochs)"), ("label-smoothing", "\(labelSmoothing)"), ("sync-bn", "\(synchronizeBatchNorm)"), ("augment", "\(augmentation)"),
            ("max-steps", "\(String(describing: maxSteps))"),
        ]
    }

    /// Builds the optimizer these settings describe over `arena`.
    public func makeOptimizer(arena: ParameterArena) -> any Optimizer {
        switch optimizer {
        case .sgd: return SGD(arena: arena, momentum: Float(momentum), nesterov: nesterov, weightDecay: Float(weightDecay))
        case .adam: return Adam(arena: arena, weightDecay: Float(weightDecay))
        case .adamw: return Adam(arena: arena, weightDecay: Float(weightDecay), decoupled: true)
        }
    }
}
