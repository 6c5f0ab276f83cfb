import CohortCore
import CohortData
import CohortDistributed

/// Every setting of a training run. All ranks must agree on the fields in `agreementFields`.
package struct TrainingConfiguration: Sendable {
    package enum OptimizerKind: String, Sendable, CaseIterable { case sgd, adam, adamw, lars, lamb }

    package var model: String
    package var epochs = 1
    /// Samples per micro-batch over all ranks (`--batch-size`).
    package var globalBatch = 32
    /// Micro-batches per optimizer step (`--accumulate`): gradients add up over them, and only
    /// the last one's backward runs the allreduce.
    package var accumulate = 1
    package var learningRate = 0.01
    package var momentum = 0.0
    package var nesterov = false
    /// LARS's trust coefficient η.
    package var trustCoefficient = 0.001
    package var weightDecay = 0.0
    package var optimizer = OptimizerKind.sgd
    package var schedule = LearningRateSchedule.Kind.constant
    package var plateau: ReduceOnPlateau?
    package var warmupEpochs = 0.0
    package var labelSmoothing = 0.0
    package var augmentation = Augmentation.none
    package var seed: UInt64 = 0
    package var checkpointDirectory: String?
    package var keep = 3
    /// Also checkpoint every this many global steps, mid-epoch (`--checkpoint-every`).
    package var checkpointEverySteps: Int?
    /// Also checkpoint when this many minutes passed since the last checkpoint (`--checkpoint-minutes`).
    package var checkpointMinutes: Double?
    package var saveBest = false
    package var earlyStopPatience: Int?
    package var maxSteps: Int?
    package var bucketBytes = 25 << 20
    package var overlapCommunication = true
    /// Sync-BN: BatchNorm statistics over the global batch instead of each rank's slice.
    package var synchronizeBatchNorm = false
    /// Gradients travel as 16-bit floats in this format (`--allreduce-dtype`); nil: float32.
    package var allreduceFormat: HalfPrecision?
    package var threads = 1
    /// Starting weights of a new run (`--init-from`); a resumed run ignores them.
    package var initFrom: String?
    /// `--init-strict`: missing or unexpected tensors in `initFrom` are errors.
    package var initStrict = true
    /// Parameter-name prefixes frozen in the network (`--freeze`), recorded for agreement across ranks.
    package var frozen: [String] = []
    /// The convolution algorithm the network was built with (`--conv`), recorded for agreement across ranks.
    package var convolution = Conv2D.Algorithm.automatic
    /// The classifier's learning rate relative to the rest (`--lr-head-multiplier`).
    package var headLearningRateMultiplier = 1.0

    package init(model: String) { self.model = model }

    /// Samples per optimizer step over all ranks and micro-batches: what the sampler cuts the
    /// epoch into, the loss and gradient are means over, and checkpoints record.
    package var effectiveBatch: Int { globalBatch * accumulate }

    /// The one check of these settings against the job they run in: the global batch must give
    /// every one of `worldSize` ranks at least one sample and, when the training set's size is
    /// known, fit in it. It need not divide evenly: slices differ by at most one sample (§4.1).
    package func validate(worldSize: Int, sampleCount: Int? = nil) throws {
        guard globalBatch >= 1 else { throw TrainingError.invalidConfiguration("--batch-size must be at least 1 (got \(globalBatch))") }
        guard accumulate >= 1 else { throw TrainingError.invalidConfiguration("--accumulate must be at least 1 (got \(accumulate))") }
        guard globalBatch >= worldSize else {
            throw TrainingError.invalidConfiguration(
                "--batch-size \(globalBatch) is smaller than the \(worldSize) ranks: every rank needs at least one sample per step")
        }
        if let sampleCount, sampleCount < effectiveBatch {
            let what = accumulate > 1 ? "--batch-size \(globalBatch) × --accumulate \(accumulate) = \(effectiveBatch)" : "--batch-size \(globalBatch)"
            throw TrainingError.invalidConfiguration("\(what) is larger than the \(sampleCount) training samples")
        }
    }

    /// How each training step runs under these settings.
    package var stepOptions: TrainingStep.Options {
        var options = TrainingStep.Options(globalBatch: effectiveBatch)
        options.microBatches = accumulate
        options.threads = threads
        options.labelSmoothing = labelSmoothing
        options.bucketBytes = bucketBytes
        options.overlapCommunication = overlapCommunication
        options.synchronizeBatchNorm = synchronizeBatchNorm
        options.allreduceFormat = allreduceFormat
        return options
    }

    /// The learning-rate schedule these settings describe.
    package var learningRateSchedule: LearningRateSchedule {
        LearningRateSchedule(base: learningRate, kind: schedule, warmupEpochs: warmupEpochs)
    }

    /// Fields every rank must share before step 1 (the cross-rank configuration hash covers them).
    package func agreementFields(network: Network, data: DatasetSplits) -> [(name: String, value: String)] {
        [
            ("version", CohortVersion.string), ("model", model), ("classes", "\(network.outputShape)"),
            ("input", "\(network.inputShape)"), ("parameters", "\(network.arena.trainableCount)+\(network.arena.bufferCount)"),
            ("dataset", data.identity), ("evaluation", "\(data.validation?.count ?? 0)+\(data.test?.count ?? 0)"), ("batch-size", "\(globalBatch)"), ("accumulate", "\(accumulate)"), ("seed", "\(seed)"), ("epochs", "\(epochs)"),
            ("optimizer", optimizer.rawValue), ("lr", "\(learningRate)"), ("momentum", "\(momentum)"), ("nesterov", "\(nesterov)"), ("trust-coefficient", "\(trustCoefficient)"),
            ("weight-decay", "\(weightDecay)"), ("schedule", "\(schedule)"), ("plateau", "\(String(describing: plateau))"),
            ("warmup-epochs", "\(warmupEpochs)"), ("label-smoothing", "\(labelSmoothing)"), ("sync-bn", "\(synchronizeBatchNorm)"), ("allreduce-dtype", allreduceFormat?.rawValue ?? "fp32"), ("augment", "\(augmentation)"),
            ("max-steps", "\(String(describing: maxSteps))"), ("freeze", frozen.joined(separator: ",")),
            ("lr-head-multiplier", "\(headLearningRateMultiplier)"), ("conv", convolution.rawValue),
        ]
    }

    /// Builds the optimizer these settings describe over `arena`.
    package func makeOptimizer(arena: ParameterArena) -> any Optimizer {
        switch optimizer {
        case .sgd: return SGD(arena: arena, momentum: Float(momentum), nesterov: nesterov, weightDecay: Float(weightDecay))
        case .adam: return Adam(arena: arena, weightDecay: Float(weightDecay))
        case .adamw: return Adam(arena: arena, weightDecay: Float(weightDecay), decoupled: true)
        case .lars: return LARS(arena: arena, momentum: Float(momentum), weightDecay: Float(weightDecay), trustCoefficient: Float(trustCoefficient))
        case .lamb: return LAMB(arena: arena, weightDecay: Float(weightDecay))
        }
    }
}
