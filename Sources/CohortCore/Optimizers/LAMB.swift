/// LAMB (You et al. 2019, "Large Batch Optimization for Deep Learning: Training BERT in 76
/// minutes"): Adam's bias-corrected direction r = m̂/(√v̂ + ε), plus decoupled weight decay
/// u = r + λw, scaled per weight tensor by the trust ratio ‖w‖/‖u‖: w ← w − lr·trust·u.
/// Biases and BatchNorm parameters are excluded from adaptation and weight decay (trust 1, no decay).
package final class LAMB: Optimizer {
    package let kind = "lamb"
    package let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    package var stepCount = 0
    package var threads = 1
    private let arena: ParameterArena
    private let moments: AdamMoments
    /// u of the current step (the update before the trust ratio).
    private let update: UnsafeMutableBufferPointer<Float>
    private let layers: LayerNorms

    package init(arena: ParameterArena, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-6, weightDecay: Float = 0) {
        self.arena = arena
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
        moments = AdamMoments(count: arena.trainableCount)
        update = allocateSlot(arena.trainableCount)
        layers = LayerNorms(arena: arena)
    }

    deinit { update.deallocate() }

    package var slots: [(name: String, values: UnsafeMutableBufferPointer<Float>)] { moments.slots }

    package func step(learningRate lr: Float) {
        stepCount += 1
        let (correction1, correction2) = AdamMoments.corrections(beta1: beta1, beta2: beta2, step: stepCount)
        let w = arena.values, grad = arena.gradients, m = moments.first, v = moments.second, u = update
        let (beta1, beta2, epsilon, weightDecay) = (beta1, beta2, epsilon, weightDecay)
        for layer in layers.layers {
            let decay = layer.adapts ? weightDecay : 0
            ThreadSplit.forEachRange(layer.range.count, threads: threads, minimumPerThread: updateMinimumPerThread) { part in
                for i in (layer.range.lowerBound + part.lowerBound)..<(layer.range.lowerBound + part.upperBound) {
                    let g = grad[i]
                    m[i] = beta1 * m[i] + (1 - beta1) * g
                    v[i] = beta2 * v[i] + (1 - beta2) * g * g
                    u[i] = (m[i] / correction1) / ((v[i] / correction2).squareRoot() + epsilon) + decay * w[i]
                }
            }
        }
        let norms = layers.norms(w, u, threads: threads)
        for (index, layer) in layers.layers.enumerated() {
            let trust = layer.adapts ? LayerNorms.trust(weights: norms[index].0, update: norms[index].1) : 1
            let scaled = lr * Float(trust) * layer.scale
            ThreadSplit.forEachRange(layer.range.count, threads: threads, minimumPerThread: updateMinimumPerThread) { part in
                for i in (layer.range.lowerBound + part.lowerBound)..<(layer.range.lowerBound + part.upperBound) { w[i] -= scaled * u[i] }
            }
        }
    }
}
