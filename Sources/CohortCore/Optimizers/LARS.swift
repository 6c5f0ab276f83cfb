/// LARS (You, Gitman & Ginsburg 2017, "Large Batch Training of Convolutional Networks"), in the
/// form of the MLPerf ResNet-50 reference: per weight tensor a local rate
/// trust = η·‖w‖ / (‖g‖ + λ‖w‖), then g ← g + λw;  v ← μv + lr·trust·g;  w ← w − v.
/// Biases and BatchNorm parameters are excluded from adaptation and weight decay (trust 1, no decay).
package final class LARS: Optimizer {
    package let kind = "lars"
    package let momentum: Float, weightDecay: Float, trustCoefficient: Float
    package var stepCount = 0
    package var threads = 1
    private let arena: ParameterArena
    private let velocity: UnsafeMutableBufferPointer<Float>
    private let layers: LayerNorms

    package init(arena: ParameterArena, momentum: Float = 0.9, weightDecay: Float = 0, trustCoefficient: Float = 0.001) {
        self.arena = arena
        (self.momentum, self.weightDecay, self.trustCoefficient) = (momentum, weightDecay, trustCoefficient)
        velocity = allocateSlot(arena.trainableCount)
        layers = LayerNorms(arena: arena)
    }

    deinit { velocity.deallocate() }

    package var slots: [(name: String, values: UnsafeMutableBufferPointer<Float>)] {
        [("momentum", UnsafeMutableBufferPointer(rebasing: velocity[0..<arena.trainableCount]))]
    }

    package func step(learningRate lr: Float) {
        let w = arena.values, grad = arena.gradients, v = velocity
        let norms = layers.norms(w, grad, threads: threads)
        let (momentum, weightDecay, eta) = (momentum, weightDecay, Double(trustCoefficient))
        for (index, layer) in layers.layers.enumerated() {
            let (wNorm, gNorm) = norms[index]
            let decay = layer.adapts ? weightDecay : 0
            let trust = layer.adapts ? eta * LayerNorms.trust(weights: wNorm, update: gNorm + Double(weightDecay) * wNorm) : 1
            let scaled = lr * Float(trust) * layer.scale
            ThreadSplit.forEachRange(layer.range.count, threads: threads, minimumPerThread: updateMinimumPerThread) { part in
                for i in (layer.range.lowerBound + part.lowerBound)..<(layer.range.lowerBound + part.upperBound) {
                    v[i] = momentum * v[i] + scaled * (grad[i] + decay * w[i])
                    w[i] -= v[i]
                }
            }
        }
        stepCount += 1
    }
}
