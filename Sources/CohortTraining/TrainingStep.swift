import CohortCore
import CohortData
import CohortDistributed
import CohortRandom
import CohortTrace

/// One optimisation step on this rank's slice of a global batch: per micro-batch (`--accumulate`)
/// forward, loss over the global batch and backward, gradients adding up; the last micro-batch's
/// backward runs the bucketed gradient allreduce overlapped; then agreement across ranks on the stop,
/// non-finite and data-error flags, then the optimizer update (skipped when any rank saw a
/// non-finite loss or could not load its batch). Used by the trainer and by `cohort bench`; owns its
/// input tensor and context, so a step allocates nothing once shapes are seen.
package final class TrainingStep {
    /// How a step runs, beyond the model, optimizer and communicator.
    package struct Options: Sendable {
        /// Samples per step over all ranks and micro-batches; the loss and gradients are means over it.
        package var globalBatch: Int
        /// Micro-batches this rank's slice is cut into (sizes differ by at most one), run one
        /// after another with the gradients adding up.
        package var microBatches = 1
        /// Threads this rank uses inside layers.
        package var threads = 1
        /// Label smoothing ε of the cross-entropy loss.
        package var labelSmoothing = 0.0
        /// Target size of one gradient allreduce bucket.
        package var bucketBytes = 25 << 20
        /// Reduce buckets while backward still runs, rather than after it.
        package var overlapCommunication = true
        /// Sync-BN: BatchNorm statistics over the global batch instead of each rank's slice.
        package var synchronizeBatchNorm = false
        /// Gradients travel as 16-bit floats in this format (summed in float32); nil: float32.
        package var allreduceFormat: HalfPrecision?

        package init(globalBatch: Int) { self.globalBatch = globalBatch }
    }

    /// What one step produced on this rank, and what all ranks agreed on.
    package struct Result: Sendable {
        /// Sum of per-sample losses over this rank's slice.
        package let lossSum: Double
        /// Correct top-1 predictions in this rank's slice.
        package let correct: Int
        /// Some rank received SIGTERM/SIGUSR1 (the job stops after this step).
        package let stopRequested: Bool
        /// Some rank saw a non-finite loss (the optimizer was not applied).
        package let nonFinite: Bool
        /// Some rank could not load its batch (the optimizer was not applied).
        package let dataError: Bool
    }

    package let network: Network
    package let optimizer: any Optimizer
    package private(set) var timings = StepTimings()
    private let communicator: any Communicator
    private let loss: SoftmaxCrossEntropy
    private let reducer: GradientReducer?
    private let context: Context
    private let observer: ReducerObserver?
    private let input = Tensor(zeros: [0])
    /// The model's buffers (BatchNorm running statistics) before the step, restored when its update is discarded.
    private let buffersBefore: UnsafeMutableBufferPointer<Float>

    package let options: Options

    package init(network: Network, optimizer: any Optimizer, communicator: any Communicator, options: Options) {
        self.network = network
        self.optimizer = optimizer
        optimizer.threads = options.threads
        self.communicator = communicator
        self.options = options
        loss = SoftmaxCrossEntropy(labelSmoothing: Float(options.labelSmoothing))
        reducer = communicator.size > 1
            ? GradientReducer(communicator: communicator, gradients: network.arena.gradients, segments: network.arena.segments,
                              bucketBytes: options.bucketBytes, overlap: options.overlapCommunication,
                              compression: options.allreduceFormat)
            : nil
        context = Context(mode: .training, threads: options.threads)
        observer = reducer.map { ReducerObserver(reducer: $0, synchronizesBatchNorm: options.synchronizeBatchNorm) }
        context.observer = observer
        buffersBefore = .allocate(capacity: network.arena.bufferValues.count)
    }

    deinit { buffersBefore.deallocate() }

    /// Runs one step on `images` (this rank's slice, NCHW) with `labels` and per-sample randomness
    /// `keys`; `globalStep` is what a stall report names. `dataWait` is the time already spent
    /// waiting for this batch (it goes into the timings). `badBatch`: this rank could not load its
    /// batch and passes a placeholder, so that every rank still issues the step's collectives.
    package func run(images: UnsafeBufferPointer<Float>, labels: [Int32], keys: [SampleKey], learningRate: Double, globalStep: Int,
                     dataWait: Double = 0, badBatch: Bool = false) throws -> Result {
        communicator.watchdog?.stepBegan(globalStep)
        let began = StepTimings.now()
        var t0 = began, t1 = began
        _ = buffersBefore.update(fromContentsOf: network.arena.bufferValues)
        network.arena.zeroGradients(threads: options.threads)
        var lossSum = 0.0, correct = 0
        let sampleSize = network.inputShape.count
        for micro in 0..<options.microBatches {
            let part = ShardSampler.share(count: labels.count, worldSize: options.microBatches, rank: micro)
            let last = micro == options.microBatches - 1
            input.resize(to: network.inputShape.batched(part.count))
            Elementwise.copy(images.baseAddress! + part.lowerBound * sampleSize, to: input.values.baseAddress!, count: part.count * sampleSize,
                             threads: options.threads)
            context.sampleKeys = options.microBatches == 1 ? keys : Array(keys[part])
            let logits = try network.forward(input, context: context)
            let result = try loss.compute(logits: logits, labels: options.microBatches == 1 ? labels : Array(labels[part]), divisor: options.globalBatch,
                                          threads: options.threads)
            lossSum += result.lossSum
            correct += result.correct
            t1 = StepTimings.now()
            timings.forward += t1 - t0
            observer?.startsBuckets = last
            if last { reducer?.beginStep() }
            try network.backward(loss.gradient, context: context)
            t0 = StepTimings.now()
            timings.backward += t0 - t1
        }
        try reducer?.finishStep()
        t1 = StepTimings.now()
        timings.communicationWait += t1 - t0

        let agreed = try communicator.sum(StepAgreement(stopRequested: StopSignal.requested, nonFinite: !badBatch && !lossSum.isFinite,
                                                        dataError: badBatch))
        if agreed.nonFinite || agreed.dataError {
            _ = network.arena.bufferValues.update(fromContentsOf: buffersBefore)
        } else {
            optimizer.step(learningRate: Float(learningRate))
        }
        let end = StepTimings.now()
        timings.optimizer += end - t1
        if let trace = StepTrace.current {
            trace.span("data wait", category: "data", thread: StepTrace.trainingThread, start: began - dataWait, end: began)
            trace.span("step \(globalStep)", category: "step", thread: StepTrace.trainingThread, start: began, end: end)
            trace.span("gradient allreduce wait", category: "communication", thread: StepTrace.trainingThread, start: t0, end: t1)
            trace.span("agreement + optimizer", category: "optimizer", thread: StepTrace.trainingThread, start: t1, end: end)
        }
        timings.dataWait += dataWait
        timings.steps += 1
        timings.images += labels.count
        return Result(lossSum: lossSum, correct: correct, stopRequested: agreed.stopRequested, nonFinite: agreed.nonFinite,
                      dataError: agreed.dataError)
    }

    /// Per-layer times of the following steps, when set (`cohort bench`).
    package var profile: LayerProfile? {
        get { context.profile }
        set { context.profile = newValue }
    }

    /// Forgets the timings measured so far (after warm-up).
    package func resetTimings() { timings = StepTimings() }
}
