import CohortCore
import Testing

@Suite struct OptimizerTests {
    /// A one-parameter model (Dense 1→1 without bias) so values can be set by hand.
    func arena(weight: Float, gradient: Float) throws -> ParameterArena {
        let network = try Network(root: Dense(units: 1, bias: false, name: "fc"), inputShape: [1])
        network.arena.values[0] = weight
        network.arena.gradients[0] = gradient
        return network.arena
    }

    @Test func sgdMomentumStepsByHand() throws {
        let arena = try arena(weight: 1.0, gradient: 0.5)
        let sgd = SGD(arena: arena, momentum: 0.9, weightDecay: 0.1)
        sgd.step(learningRate: 0.1)
        // g = 0.5 + 0.1·1 = 0.6; v = 0.6; w = 1 − 0.06 = 0.94
        #expect(abs(arena.values[0] - 0.94) < 1e-6)
        sgd.step(learningRate: 0.1)
        // g = 0.5 + 0.094 = 0.594; v = 0.9·0.6 + 0.594 = 1.134; w = 0.94 − 0.1134 = 0.8266
        #expect(abs(arena.values[0] - 0.8266) < 1e-6)
        #expect(abs(sgd.slots[0].values[0] - 1.134) < 1e-6)
    }

    @Test func nesterovStepByHand() throws {
        let arena = try arena(weight: 1.0, gradient: 0.5)
        SGD(arena: arena, momentum: 0.9, nesterov: true).step(learningRate: 0.1)
        // v = 0.5; w = 1 − 0.1·(0.5 + 0.45) = 0.905
        #expect(abs(arena.values[0] - 0.905) < 1e-6)
    }

    @Test func adamStepByHand() throws {
        let arena = try arena(weight: 1.0, gradient: 0.5)
        let adam = Adam(arena: arena, epsilon: 1e-8)
        adam.step(learningRate: 0.01)
        // m̂ = 0.5, v̂ = 0.25 → update = 0.5 / (0.5 + 1e-8) ≈ 1 → w = 0.99
        #expect(abs(arena.values[0] - 0.99) < 1e-6)
        arena.gradients[0] = -0.25
        adam.step(learningRate: 0.01)
        // m = 0.9·0.05 − 0.025 = 0.02; v = 0.999·0.00025 + 0.001·0.0625 = 0.00031225
        let mHat = 0.02 / (1 - 0.81), vHat = 0.00031225 / (1 - 0.998001)
        #expect(abs(Double(arena.values[0]) - (0.99 - 0.01 * mHat / (vHat.squareRoot() + 1e-8))) < 1e-6)
    }

    @Test func adamWDecaysDecoupled() throws {
        let arena = try arena(weight: 2.0, gradient: 0)
        Adam(arena: arena, weightDecay: 0.1, decoupled: true).step(learningRate: 0.5)
        // zero gradient: only the decoupled decay 2 − 0.5·0.1·2 = 1.9
        #expect(abs(arena.values[0] - 1.9) < 1e-6)
    }

    @Test func biasesExemptFromDecay() throws {
        let network = try Network(root: Dense(units: 1, name: "fc"), inputShape: [1])
        network.arena.values.update(repeating: 1)
        SGD(arena: network.arena, weightDecay: 0.5).step(learningRate: 1)
        #expect(network.arena.values[0] == 0.5)   // weight decays
        #expect(network.arena.values[1] == 1)     // bias does not
    }

    @Test func schedules() {
        let step = LearningRateSchedule(base: 0.1, kind: .step(every: 30, gamma: 0.1))
        #expect(step.rate(epoch: 29) == 0.1)
        #expect(abs(step.rate(epoch: 30) - 0.01) < 1e-12)
        #expect(abs(step.rate(epoch: 65) - 0.001) < 1e-12)

        let lenet = LearningRateSchedule(base: 5e-4, kind: .piecewise(boundaries: [3, 6, 10], rates: [5e-4, 2e-4, 5e-5, 1e-5]))
        #expect([0, 2, 3, 5, 6, 9, 10, 19].map { lenet.rate(epoch: $0) } == [5e-4, 5e-4, 2e-4, 2e-4, 5e-5, 5e-5, 1e-5, 1e-5])

        let cosine = LearningRateSchedule(base: 1, kind: .cosine(epochs: 10, minimum: 0))
        #expect(cosine.rate(epoch: 0) == 1)
        #expect(abs(cosine.rate(epoch: 5) - 0.5) < 1e-12)
        #expect(abs(cosine.rate(epoch: 9, step: 99, stepsPerEpoch: 100)) < 1e-3)

        let warm = LearningRateSchedule(base: 0.4, kind: .constant, warmupEpochs: 2)
        #expect(abs(warm.rate(epoch: 0, step: 0, stepsPerEpoch: 10) - 0.02) < 1e-12)
        #expect(abs(warm.rate(epoch: 1, step: 0, stepsPerEpoch: 10) - 0.22) < 1e-12)
        #expect(warm.rate(epoch: 2, step: 0, stepsPerEpoch: 10) == 0.4)
    }

    /// Dense 2→2 with bias: a 4-element weight tensor that adapts, a 2-element bias that does not.
    func layerArena() throws -> ParameterArena {
        let network = try Network(root: Dense(units: 2, name: "fc"), inputShape: [2])
        for i in 0..<4 { network.arena.values[i] = Float(i + 1); network.arena.gradients[i] = 0.5 }   // ‖w‖ = √30, ‖g‖ = 1
        for i in 4..<6 { network.arena.values[i] = 1; network.arena.gradients[i] = 0.25 }
        return network.arena
    }

    @Test func larsScalesEachWeightTensorByItsTrustRatio() throws {
        let arena = try layerArena()
        let lars = LARS(arena: arena, momentum: 0.9, weightDecay: 0.01, trustCoefficient: 0.001)
        lars.step(learningRate: 2)
        let wNorm = 30.0.squareRoot()
        let trust = 0.001 * wNorm / (1 + 0.01 * wNorm)
        for i in 0..<4 {
            let expected = Double(i + 1) - 2 * trust * (0.5 + 0.01 * Double(i + 1))
            #expect(abs(Double(arena.values[i]) - expected) < 1e-6, "weight \(i)")
        }
        // The bias: no trust ratio, no decay — momentum SGD at the full rate.
        #expect(abs(arena.values[4] - (1 - 2 * 0.25)) < 1e-6)
        lars.step(learningRate: 2)
        #expect(abs(lars.slots[0].values[4] - (0.9 * 0.5 + 0.5)) < 1e-6, "v = μ·v + lr·g")
    }

    @Test func lambScalesAdamsUpdateByTheTrustRatio() throws {
        let arena = try layerArena()
        LAMB(arena: arena, epsilon: 1e-9, weightDecay: 0.1).step(learningRate: 0.01)
        // Step 1: m̂ = g, v̂ = g², so r = sign(g) = 1 everywhere; u = 1 + 0.1·w for the weights.
        let u = (1...4).map { 1 + 0.1 * Double($0) }
        let trust = 30.0.squareRoot() / u.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for i in 0..<4 { #expect(abs(Double(arena.values[i]) - (Double(i + 1) - 0.01 * trust * u[i])) < 1e-6, "weight \(i)") }
        #expect(abs(arena.values[4] - (1 - 0.01)) < 1e-6, "the bias: trust 1, no decay")
    }

    @Test func polySchedule() {
        let poly = LearningRateSchedule(base: 2, kind: .poly(epochs: 10, power: 2), warmupEpochs: 2)
        #expect(poly.rate(epoch: 2) == 2)
        #expect(abs(poly.rate(epoch: 6) - 2 * 0.25) < 1e-12)   // halfway through the 8 decay epochs
        #expect(abs(poly.rate(epoch: 9, step: 99, stepsPerEpoch: 100)) < 1e-3)
    }

    @Test func reduceOnPlateau() {
        var plateau = ReduceOnPlateau(factor: 0.5, patience: 2, cooldown: 1)
        let losses = [1.0, 0.9, 0.95, 0.92, 0.93, 0.91, 0.94, 0.95]
        let reduced = losses.map { plateau.update(metric: $0, base: 0.1) }
        // Keras semantics: 0.9 best at epoch 1; two epochs without improvement → reduce at epoch 3.
        // The cooldown epoch (4) ends within the same update, so epoch 4 already counts: reduce at 5, and again at 7.
        #expect(reduced == [false, false, false, true, false, true, false, true])
        #expect(abs(plateau.scale - 0.125) < 1e-12)
    }
}
