/// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019):
/// m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  w ← w − lr·m̂/(√v̂ + ε), with m̂, v̂ bias-corrected.
/// Adam adds weight decay to g (L2); AdamW instead applies w ← w − lr·λ·w (decoupled).
package final class Adam: Optimizer {
    package let kind: String
    package let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, decoupled: Bool
    package var stepCount = 0
    package var threads = 1
    private let arena: ParameterArena
    private let moments: AdamMoments
    private let decays: [Bool]
    private let runs: [(range: Range<Int>, scale: Float)]

    package init(arena: ParameterArena, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
                weightDecay: Float = 0, decoupled: Bool = false, exemptBiasesFromDecay: Bool = true) {
        self.arena = arena
        (self.beta1, self.beta2, self.epsilon, self.weightDecay, self.decoupled) = (beta1, beta2, epsilon, weightDecay, decoupled)
        kind = decoupled ? "adamw" : "adam"
        moments = AdamMoments(count: arena.trainableCount)
        decays = decayMask(arena: arena, exemptBiases: exemptBiasesFromDecay)
        runs = rateRuns(arena: arena)
    }

    package var slots: [(name: String, values: UnsafeMutableBufferPointer<Float>)] { moments.slots }

    package func step(learningRate: Float) {
        stepCount += 1
        let (correction1, correction2) = AdamMoments.corrections(beta1: beta1, beta2: beta2, step: stepCount)
        let w = arena.values, grad = arena.gradients, m = moments.first, v = moments.second
        let (beta1, beta2, epsilon, weightDecay, decoupled) = (beta1, beta2, epsilon, weightDecay, decoupled)
        decays.withUnsafeBufferPointer { decay in
            forEachRateRun(runs, threads: threads) { range, scale in
                let lr = learningRate * scale
                for i in range {
                    var g = grad[i]
                    let decays = weightDecay != 0 && decay[i]
                    if decays && !decoupled { g += weightDecay * w[i] }
                    m[i] = beta1 * m[i] + (1 - beta1) * g
                    v[i] = beta2 * v[i] + (1 - beta2) * g * g
                    let update = (m[i] / correction1) / ((v[i] / correction2).squareRoot() + epsilon)
                    if decays && decoupled { w[i] -= lr * weightDecay * w[i] }
                    w[i] -= lr * update
                }
            }
        }
    }
}
