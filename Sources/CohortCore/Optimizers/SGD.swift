/// Stochastic gradient descent with momentum (PyTorch form), optional Nesterov, and L2 weight decay:
/// g ← ∇ + λ·w;  v ← μ·v + g;  w ← w − lr·(Nesterov ? g + μ·v : v).
/// With μ = 0 this is plain SGD. Biases and BatchNorm parameters can be exempted from decay.
package final class SGD: Optimizer {
    package let kind = "sgd"
    package let momentum: Float, nesterov: Bool, weightDecay: Float
    package var stepCount = 0
    package var threads = 1
    private let arena: ParameterArena
    private let velocity: UnsafeMutableBufferPointer<Float>
    private let decays: [Bool]
    private let runs: [(range: Range<Int>, scale: Float)]

    package init(arena: ParameterArena, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0, exemptBiasesFromDecay: Bool = true) {
        self.arena = arena
        (self.momentum, self.nesterov, self.weightDecay) = (momentum, nesterov, weightDecay)
        velocity = allocateSlot(arena.trainableCount)
        decays = decayMask(arena: arena, exemptBiases: exemptBiasesFromDecay)
        runs = rateRuns(arena: arena)
    }

    deinit { velocity.deallocate() }

    package var slots: [(name: String, values: UnsafeMutableBufferPointer<Float>)] {
        momentum == 0 ? [] : [("momentum", UnsafeMutableBufferPointer(rebasing: velocity[0..<arena.trainableCount]))]
    }

    package func step(learningRate: Float) {
        let w = arena.values, grad = arena.gradients, v = velocity
        let (momentum, nesterov, weightDecay) = (momentum, nesterov, weightDecay)
        decays.withUnsafeBufferPointer { decay in
            forEachRateRun(runs, threads: threads) { range, scale in
                let lr = learningRate * scale
                for i in range {
                    var g = grad[i]
                    if weightDecay != 0 && decay[i] { g += weightDecay * w[i] }
                    if momentum == 0 {
                        w[i] -= lr * g
                    } else {
                        v[i] = momentum * v[i] + g
                        w[i] -= lr * (nesterov ? g + momentum * v[i] : v[i])
                    }
                }
            }
        }
        stepCount += 1
    }
}
