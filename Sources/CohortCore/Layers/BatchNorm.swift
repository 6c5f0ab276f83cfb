/// Batch normalization per channel (Ioffe & Szegedy 2015).
///
/// x [N, C, H, W] or [N, C]; statistics over N·H·W per channel.
/// Training: y = γ·(x − μ_B)/√(σ²_B + ε) + β, running ← momentum·running + (1 − momentum)·batch
/// (running variance unbiased). Inference, and training with γ and β frozen: the running
/// statistics replace μ_B, σ²_B.
/// Parameters `weight` (γ, ones) and `bias` (β, zeros); buffers `running_mean`, `running_var`.
/// Forward caches a reference to x and μ, 1/σ per channel (backward recomputes x̂ from them rather
/// than keeping an activation-sized copy). With sync-BN (`PassObserver.reduceStatistics`) the batch
/// statistics and the backward means are those of the global batch across ranks. A rank's threads
/// split the channels, so every channel's sums run in the same order whatever the thread count.
package final class BatchNorm: Layer {
    package let name: String
    package let momentum: Float
    package let epsilon: Float
    /// Whether forward also applies ReLU to its output and backward the ReLU's derivative to the
    /// gradient it receives (`Sequential` sets it when a ReLU follows, which then passes both on).
    package var rectifiesOutput = false
    package private(set) var weight: Parameter!
    package private(set) var bias: Parameter!
    package private(set) var runningMean: Parameter!
    package private(set) var runningVariance: Parameter!
    private var inputShape: Shape = []
    private var input: Tensor?
    /// μ and 1/σ per channel, cached by forward.
    private var means = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1)
    private var inverseStd = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1)
    /// Workspace: per-channel sums (forward: x, x²; backward: g, g·x̂) and the element count.
    private var statistics = UnsafeMutableBufferPointer<Double>.allocate(capacity: 1)
    private var trainedWithBatchStatistics = true
    private let output = Tensor(zeros: [0])

    package init(momentum: Float = 0.9, epsilon: Float = 1e-5, name: String) {
        self.momentum = momentum
        self.epsilon = epsilon
        self.name = name
    }

    deinit {
        statistics.deallocate()
        means.deallocate()
        inverseStd.deallocate()
    }

    package var parameters: [Parameter] { [weight, bias, runningMean, runningVariance] }
    private var channels: Int { inputShape[0] }
    private var plane: Int { inputShape.dims.dropFirst().reduce(1, *) }

    package func build(input: Shape) throws -> Shape {
        guard input.rank == 1 || input.rank == 3 else { throw CoreError.shapeMismatch(layer: name, expected: "[C, H, W] or [C]", got: input) }
        inputShape = input
        let c = input[0]
        weight = Parameter(name: "weight", shape: [c], role: .bias, initializer: .ones)
        bias = Parameter(name: "bias", shape: [c], role: .bias, initializer: .zeros)
        runningMean = Parameter(name: "running_mean", shape: [c], role: .buffer, initializer: .zeros)
        runningVariance = Parameter(name: "running_var", shape: [c], role: .buffer, initializer: .ones)
        means.deallocate()
        inverseStd.deallocate()
        statistics.deallocate()
        means = .allocate(capacity: c)
        inverseStd = .allocate(capacity: c)
        statistics = .allocate(capacity: 2 * c + 1)
        return input
    }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: inputShape)
        let n = x.shape.batch, size = plane, c = channels
        input = x
        output.resize(to: x.shape)
        let src = x.values.baseAddress!, dst = output.values.baseAddress!
        let gamma = weight.value.values, beta = bias.value.values
        let rm = runningMean.value.values, rv = runningVariance.value.values
        // A frozen BatchNorm (`--freeze`) normalizes as in inference, and its statistics stay as loaded.
        trainedWithBatchStatistics = context.mode == .training && (weight.isTrainable || bias.isTrainable)
        if trainedWithBatchStatistics {
            // Per-channel sums, then (with sync-BN) summed over every rank's slice, with the count.
            let statistics = statistics
            ThreadSplit.forEachRange(c, threads: context.threads) { chs in
                for ch in chs {
                    var sum = 0.0, squares = 0.0
                    for i in 0..<n {
                        let row = LaneSums.sumAndSquares(src + (i &* c &+ ch) &* size, count: size)
                        sum += row.sum
                        squares += row.squares
                    }
                    statistics[ch] = sum
                    statistics[c &+ ch] = squares
                }
            }
            statistics[2 &* c] = Double(n * size)
            try context.observer?.reduceStatistics(statistics)
        }
        let (statistics, means, inverseStd, batchStatistics) = (statistics, means, inverseStd, trainedWithBatchStatistics)
        let (momentum, epsilon, floor) = (momentum, epsilon, rectifiesOutput ? Float(0) : -.infinity)
        ThreadSplit.forEachRange(c, threads: context.threads) { chs in for ch in chs {
            var mean: Float, variance: Float
            if batchStatistics {
                let count = statistics[2 &* c]
                let m = statistics[ch] / count
                mean = Float(m)
                variance = Float(max(statistics[c &+ ch] / count - m * m, 0))
                let unbiased = count > 1 ? variance * Float(count / (count - 1)) : variance
                rm[ch] = momentum * rm[ch] + (1 - momentum) * mean
                rv[ch] = momentum * rv[ch] + (1 - momentum) * unbiased
            } else {
                mean = rm[ch]
                variance = rv[ch]
            }
            let inv = 1 / (variance + epsilon).squareRoot()
            means[ch] = mean
            inverseStd[ch] = inv
            let scale = gamma[ch] * inv, shift = beta[ch] - mean * scale
            for i in 0..<n {
                let base = (i &* c &+ ch) &* size
                for t in 0..<size { dst[base &+ t] = max(src[base &+ t] * scale + shift, floor) }
            }
        } }
        return output
    }

    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        guard let x = input else { throw CoreError.invalidArgument("layer '\(name)': backward before forward") }
        let n = dy.shape.batch, size = plane, c = channels
        let inputGradient = context.buffers.take(dy.shape)
        let g = dy.values.baseAddress!, xp = x.values.baseAddress!, dx = inputGradient.values.baseAddress!
        // With the ReLU applied, the gradient counts only where the output is positive.
        let rectified = rectifiesOutput ? UnsafePointer(output.values.baseAddress!) : nil
        let gamma = weight.value.values, dgamma = weight.gradient.values, dbeta = bias.gradient.values
        // Per-channel Σg and Σg·x̂ of this slice: the parameter gradients, and (summed over ranks
        // with sync-BN, like the statistics in forward) the means the input gradient needs. Summed
        // in Double (`LaneSums`), as in forward: the input gradient subtracts these means from g,
        // so float32 sums' rounding (which depends on how the batch is split over ranks) would be amplified.
        let (statistics, means, inverseStd, batchStatistics) = (statistics, means, inverseStd, trainedWithBatchStatistics)
        let (learnsScale, learnsShift) = (weight.isTrainable, bias.isTrainable)
        ThreadSplit.forEachRange(c, threads: context.threads) { chs in for ch in chs {
            var sumG = 0.0, sumGX = 0.0
            let mean = means[ch], inv = inverseStd[ch]
            for i in 0..<n {
                let base = (i &* c &+ ch) &* size
                let row = LaneSums.sumAndNormalizedDot(g + base, xp + base, shift: mean, scale: inv, count: size,
                                                       where: rectified.map { $0 + base })
                sumG += row.sum
                sumGX += row.dot
            }
            if learnsShift { dbeta[ch] += Float(sumG) }
            if learnsScale { dgamma[ch] += Float(sumGX) }
            statistics[ch] = sumG
            statistics[c &+ ch] = sumGX
        } }
        statistics[2 &* c] = Double(n * size)
        if batchStatistics { try context.observer?.reduceStatistics(statistics) }
        let count = statistics[2 &* c]
        ThreadSplit.forEachRange(c, threads: context.threads) { chs in for ch in chs {
            let scale = gamma[ch] * inverseStd[ch]
            let meanG = Float(statistics[ch] / count), meanGX = Float(statistics[c &+ ch] / count)
            let mean = means[ch], inv = inverseStd[ch]
            for i in 0..<n {
                let base = (i &* c &+ ch) &* size
                @inline(__always) func write(_ gradient: (Int) -> Float) {
                    if batchStatistics {
                        for t in 0..<size { dx[base &+ t] = scale * (gradient(t) - meanG - (xp[base &+ t] - mean) * inv * meanGX) }
                    } else {
                        for t in 0..<size { dx[base &+ t] = scale * gradient(t) }
                    }
                }
                if let rectified {
                    write { t in
                        let gradient = g[base &+ t]   // loaded unconditionally, so the loop becomes a vector select
                        return rectified[base &+ t] > 0 ? gradient : 0
                    }
                } else {
                    write { g[base &+ $0] }
                }
            }
        } }
        return inputGradient
    }
}
