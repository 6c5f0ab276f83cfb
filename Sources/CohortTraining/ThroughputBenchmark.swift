import CohortCore
import CohortData
import CohortDistributed
import CohortRandom

/// Steady-state training throughput of a network on synthetic data, as `cohort bench` reports it:
/// img/s after warm-up (the median of consecutive timed windows, as the peer scripts time theirs),
/// the step split, achieved GFLOP/s of the model and of its convolutions, and the same process's
/// `cblas_sgemm` GFLOP/s for scale. Runs one rank's part; the caller gathers.
package enum ThroughputBenchmark {
    /// One rank's measurement.
    package struct Measurement: Codable, Sendable {
        package var rank: Int
        /// Steps per window.
        package var steps: Int
        package var localBatch: Int
        /// Seconds of the median window.
        package var seconds: Double
        /// This rank's img/s in the median window.
        package var imagesPerSecond: Double
        /// This rank's img/s in each window, in order.
        package var windowImagesPerSecond: [Double]
        /// Milliseconds per step (over all windows) in data wait, forward, backward, communication
        /// wait and optimizer.
        package var stepMilliseconds: [String: Double]
        /// Training FLOPs counted as 3 × forward (forward, input gradient, weight gradient).
        package var modelGFLOPS: Double
        package var convolutionGFLOPS: Double
        /// Share of step time spent inside convolution layers.
        package var convolutionShare: Double
        /// Share of the median window's time in which fewer than two of the rank's threads were
        /// busy: the window `imagesPerSecond` comes from (nil with one thread).
        package var serialFraction: Double?
        /// The serial fraction of each window, in order (empty with one thread).
        package var windowSerialFractions: [Double]
        package var sgemmGFLOPS: Double
        /// Peak resident memory of this rank's process, in MB, after the timed steps.
        package var peakResidentMegabytes: Double
        /// Peak resident memory once the model was built, before the first step: the model's own
        /// cost (parameters, gradients) without optimizer state and activations.
        package var builtModelResidentMegabytes: Double
        /// The leaf layers that took the most time, slowest first.
        package var slowestLayers: [LayerTime]
    }

    /// Milliseconds per step one leaf layer took.
    package struct LayerTime: Codable, Sendable {
        package var name: String
        package var kind: String
        package var forwardMilliseconds: Double
        package var backwardMilliseconds: Double
        /// Training GFLOP/s of this layer (3 × forward FLOPs), 0 for layers without FLOPs.
        package var gflops: Double
    }

    /// Runs `warmup` training steps of `network` on random images and labels, then `windows` timed
    /// windows of `steps` steps.
    /// `configuration` gives the global batch and how steps run (threads, buckets, overlap).
    package static func measure(network: Network, communicator: any Communicator, configuration: TrainingConfiguration,
                               steps: Int, windows: Int = 1, warmup: Int) throws -> Measurement {
        try configuration.validate(worldSize: communicator.size)
        let slice = ShardSampler.share(count: configuration.globalBatch, worldSize: communicator.size, rank: communicator.rank)
        let localBatch = slice.count
        let builtModelResidentMegabytes = PeakResidentMemory.megabytes
        network.arena.initialize(seed: 1)
        var generator = SplitMix64(seed: UInt64(communicator.rank) + 7)
        let images = (0..<(localBatch * network.inputShape.count)).map { _ in Float.random(in: -1...1, using: &generator) }
        let classes = network.outputShape.count
        let labels = (0..<localBatch).map { _ in Int32.random(in: 0..<Int32(classes), using: &generator) }
        let keys = (0..<localBatch).map { SampleKey(seed: 0, epoch: 0, index: slice.lowerBound + $0) }
        let optimizer = SGD(arena: network.arena, momentum: 0.9)
        let step = TrainingStep(network: network, optimizer: optimizer, communicator: communicator, options: configuration.stepOptions)
        // With --checkpoint-every: rank 0 checkpoints as training does, in the background, and each
        // window ends only when its last checkpoint is on disk.
        let writer = communicator.rank == 0 && configuration.checkpointEverySteps != nil
            ? configuration.checkpointDirectory.map { CheckpointWriter(store: CheckpointStore(directory: $0, keep: configuration.keep)) } : nil
        var state = CheckpointState(
            model: configuration.model, classes: classes, inputShape: network.inputShape.dims, classNames: [], datasetIdentity: "synthetic",
            epoch: 0, stepInEpoch: 0, globalStep: 0, worldSize: communicator.size, globalBatch: configuration.globalBatch, seed: 0,
            optimizer: optimizer.kind, optimizerSteps: 0, plateau: ReduceOnPlateau(), bestAccuracy: nil, epochsWithoutImprovement: 0,
            metrics: [:], history: [])
        func run(_ count: Int) throws {
            try images.withUnsafeBufferPointer { buffer in
                for _ in 0..<count {
                    _ = try step.run(images: buffer, labels: labels, keys: keys, learningRate: 1e-4, globalStep: state.globalStep)
                    state.globalStep += 1
                    if let writer, let every = configuration.checkpointEverySteps, state.globalStep % every == 0 {
                        (state.stepInEpoch, state.optimizerSteps) = (state.globalStep, optimizer.stepCount)
                        try writer.submit(state: state, arena: network.arena, optimizer: optimizer, names: [CheckpointStore.stepName(state.globalStep)])
                    }
                }
            }
            try writer?.flush()
        }
        try run(warmup)
        try communicator.barrier()
        step.resetTimings()
        let profile = LayerProfile()
        step.profile = profile
        var windowSeconds: [Double] = [], windowSerialFractions: [Double] = []
        for _ in 0..<max(1, windows) {
            ParallelActivity.start()
            let start = LayerProfile.now()
            try run(steps)
            let seconds = LayerProfile.now() - start
            let overlappedSeconds = ParallelActivity.stop()
            windowSeconds.append(seconds)
            if configuration.threads > 1 { windowSerialFractions.append(max(0, 1 - overlappedSeconds / seconds)) }
        }
        let medianWindow = windowSeconds.indices.sorted { windowSeconds[$0] < windowSeconds[$1] }[windowSeconds.count / 2]
        let seconds = windowSeconds[medianWindow]
        let totalSteps = steps * windowSeconds.count
        let timings = step.timings
        let imageCount = Double(steps * localBatch)
        let convolutions = profile.leafTotals { $0 is Conv2D }
        let convolutionSeconds = convolutions.forwardSeconds + convolutions.backwardSeconds
        func perStep(_ value: Double) -> Double { value / Double(max(totalSteps, 1)) * 1000 }
        return Measurement(
            rank: communicator.rank, steps: steps, localBatch: localBatch, seconds: seconds, imagesPerSecond: imageCount / seconds,
            windowImagesPerSecond: windowSeconds.map { imageCount / $0 },
            stepMilliseconds: ["data": perStep(timings.dataWait), "forward": perStep(timings.forward), "backward": perStep(timings.backward),
                               "communication": perStep(timings.communicationWait), "optimizer": perStep(timings.optimizer)],
            modelGFLOPS: 3 * Double(network.forwardFLOPs) * imageCount / seconds / 1e9,
            convolutionGFLOPS: 3 * Double(convolutions.forwardFLOPs) * imageCount * Double(windowSeconds.count) / max(convolutionSeconds, 1e-12) / 1e9,
            convolutionShare: convolutionSeconds / windowSeconds.reduce(0, +),
            serialFraction: windowSerialFractions.isEmpty ? nil : windowSerialFractions[medianWindow],
            windowSerialFractions: windowSerialFractions,
            sgemmGFLOPS: sgemmGFLOPS(threads: configuration.threads),
            peakResidentMegabytes: PeakResidentMemory.megabytes, builtModelResidentMegabytes: builtModelResidentMegabytes,
            slowestLayers: slowest(profile, steps: totalSteps, imagesPerStep: localBatch))
    }

    static func slowest(_ profile: LayerProfile, steps: Int, imagesPerStep: Int, count: Int = 12) -> [LayerTime] {
        let leaves = profile.entries.values.filter { $0.layer.children.isEmpty }
            .sorted { $0.forwardSeconds + $0.backwardSeconds > $1.forwardSeconds + $1.backwardSeconds }
        return leaves.prefix(count).map { entry in
            let seconds = entry.forwardSeconds + entry.backwardSeconds
            return LayerTime(name: entry.layer.name, kind: String(describing: type(of: entry.layer)),
                             forwardMilliseconds: entry.forwardSeconds / Double(steps) * 1000,
                             backwardMilliseconds: entry.backwardSeconds / Double(steps) * 1000,
                             gflops: 3 * Double(entry.layer.forwardFLOPs * imagesPerStep * steps) / max(seconds, 1e-12) / 1e9)
        }
    }

    /// `cblas_sgemm` GFLOP/s on 1024×1024×1024 split by rows across `threads` threads, as the
    /// layers split their products (OpenBLAS itself single-threaded).
    package static func sgemmGFLOPS(size: Int = 1024, repetitions: Int = 8, threads: Int) -> Double {
        var generator = SplitMix64(seed: 3)
        let a = (0..<(size * size)).map { _ in Float.random(in: -1...1, using: &generator) }
        let b = a.reversed() as [Float]
        var c = [Float](repeating: 0, count: size * size)
        func multiply() {
            a.withUnsafeBufferPointer { ap in
                c.withUnsafeMutableBufferPointer { cp in
                    let (ap, cp) = (ap.baseAddress!, cp.baseAddress!)
                    ThreadSplit.forEachRange(size, threads: threads, partsPerThread: 1) { rows in
                        Gemm.multiply(transposeA: false, transposeB: false, m: rows.count, n: size, k: size, a: ap + rows.lowerBound * size,
                                      lda: size, b: b, ldb: size, beta: 0, c: cp + rows.lowerBound * size, ldc: size)
                    }
                }
            }
        }
        multiply()
        let start = LayerProfile.now()
        for _ in 0..<repetitions { multiply() }
        return 2 * Double(size * size * size * repetitions) / (LayerProfile.now() - start) / 1e9
    }
}
