import CohortCore
import CohortDistributed

/// One optimisation step on this rank's slice of a global batch: forward, loss over the global batch,
/// backward with the bucketed gradient allreduce overlapped, agreement across ranks on the stop and
/// non-finite flags, then the optimizer update. Used by the trainer and by `cohort bench`; owns its
/// input tensor and context, so a step allocates nothing once shapes are seen.
public final class TrainingStep {
    /// What one step produced on this rank, and what all ranks agreed on.
    public struct Outcome: Sendable {
        /// Sum of per-sample losses over this rank's slice.
        public let lossSum: Double
        /// Correct top-1 predictions in this rank's slice.
        public let correct: Int
        /// Some rank received SIGTERM/SIGUSR1 (the job stops after this step).
        public let stopRequested: Bool
        /// Some rank saw a non-finite loss (the optimizer was not applied).
        public let nonFinite: Bool
    }

    public let network: Network
    public let optimizer: any Optimizer
    public private(set) var timings = StepTimings()
    private let communicator: any Communicator
    private let globalBatch: Int
    private let loss: SoftmaxCrossEntropy
    private let reducer: GradientReducer?
    private let context: Context
    private let input = Tensor(zeros: [0])

    public init(network: Network, optimizer: any Optimizer, communicator: any Communicator, globalBatch: Int, threads: Int,
                labelSmoothing: Double = 0, bucketBytes: Int, overlapCommunication: Bool = true, synchronizeBatchNorm: Bool = false) {
        self.network = network
        self.optimizer = optimizer
        self.communicator = communicator
        self.globalBatch = globalBatch
        loss = SoftmaxCrossEntropy(labelSmoothing: Float(labelSmoothing))
        reducer = communicator.size > 1
            ? GradientReducer(communicator: communicator, gradients: network.arena.gradients, segments: network.arena.segments,
                              bucketBytes: bucketBytes, overlap: overlapCommunication)
            : nil
        context = Context(mode: .training, threads: threads)
        if synchronizeBatchNorm, let reducer {
            context.statisticsReducer = { try reducer.allreduceInOrder($0) }
        }
    }

    /// Runs one step on `images` (this rank's slice, NCHW) with `labels` and per-sample randomness
    /// `keys`; `globalStep` is what a stall report names. `dataWait` is the time already spent
    /// waiting for this batch (it goes into the timings).
    public func run(images: UnsafeBufferPointer<Float>, labels: [Int32], keys: [UInt64], learningRate: Double, globalStep: Int, dataWait: Double = 0) throws -> Outcome {
        communicator.watchdog?.stepBegan(globalStep)
        var t0 = StepTimings.now()
        input.resize(to: network.inputShape.batched(labels.count))
        _ = input.values.update(fromContentsOf: images)
        context.sampleKeys = keys
        let logits = try network.forward(input, context: context)
        let result = try loss.compute(logits: logits, labels: labels, divisor: globalBatch)
        var t1 = StepTimings.now()
        timings.forward += t1 - t0
        network.arena.zeroGradients()
        reducer?.beginStep()
        try network.backward(loss.gradient, context: context, gradientsReady: reducer.map { r in { r.gradientsReady(from: $0) } })
        t0 = StepTimings.now()
        timings.backward += t0 - t1
        try reducer?.finishStep()
        t1 = StepTimings.now()
        timings.communicationWait += t1 - t0

        var flags: [Double] = [StopSignal.requested ? 1 : 0, result.lossSum.isFinite ? 0 : 1]
        if communicator.size > 1 { try flags.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) } }
        if flags[1] == 0 { optimizer.step(learningRate: Float(learningRate)) }
        timings.optimizer += StepTimings.now() - t1
        timings.dataWait += dataWait
        timings.steps += 1
        timings.images += labels.count
        return Outcome(lossSum: result.lossSum, correct: result.correct, stopRequested: flags[0] > 0, nonFinite: flags[1] > 0)
    }

    /// Per-layer times of the following steps, when set (`cohort bench`).
    public var profile: LayerProfile? {
        get { context.profile }
        set { context.profile = newValue }
    }

    /// Forgets the timings measured so far (after warm-up).
    public func resetTimings() { timings = StepTimings() }
}
