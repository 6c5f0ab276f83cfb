import CohortCore
import CohortRandom
import CohortTestSupport
import Testing

/// `--freeze` and `--lr-head-multiplier` at the level of networks and optimizers.
@Suite struct FreezeTests {
    /// conv → BatchNorm → tanh → flatten → dense (smooth, for finite differences), on 2×5×5 inputs.
    static func model() -> Sequential {
        Sequential([Conv2D(filters: 3, kernel: 3, name: "conv"), BatchNorm(name: "bn"), Activation(.tanh, name: "tanh"),
                    Flatten(name: "flatten"), Dense(units: 4, name: "fc")])
    }

    @Test func frozenParametersLeaveTheGradientArena() throws {
        let all = try Network(root: Self.model(), inputShape: [2, 5, 5])
        let frozen = try Network(root: Self.model(), inputShape: [2, 5, 5], frozen: ["conv", "bn"])
        #expect(frozen.arena.trainable.map(\.name) == ["fc.weight", "fc.bias"])
        #expect(frozen.arena.trainableCount == all.arena.trainableCount - (3 * 2 * 9 + 3) - 2 * 3)
        #expect(frozen.arena.buffers.map(\.name) == ["conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"])
        #expect(frozen.classifier == "fc")
        #expect(throws: CoreError.self) { try Network(root: Self.model(), inputShape: [2, 5, 5], frozen: ["con"]) }
    }

    /// A frozen BatchNorm and a frozen convolution still pass the input gradient on, checked by finite differences.
    @Test func frozenLayersPassCorrectInputGradients() throws {
        let bn = try GradientChecker.check(BatchNorm(name: "bn"), inputShape: [3, 3, 3], batch: 4, frozen: ["bn"])
        #expect(bn.worstRelativeError < 1e-2, "\(bn)")
        let conv = try GradientChecker.check(Self.model(), inputShape: [2, 5, 5], batch: 3, frozen: ["conv", "bn"])
        #expect(conv.worstRelativeError < 1e-2, "\(conv)")
    }

    /// A step with the first layers frozen: they and BatchNorm's running statistics stay exactly as
    /// they were, and the classifier's gradient is that of the same model unfrozen in inference mode.
    @Test func aStepLeavesFrozenLayersAndTheirStatisticsUntouched() throws {
        let network = try Network(root: Self.model(), inputShape: [2, 5, 5], frozen: ["conv", "bn"])
        let reference = try Network(root: Self.model(), inputShape: [2, 5, 5])
        network.arena.initialize(seed: 5)
        for (_, p) in network.arena.buffers where p.name == "running_mean" { p.value.values.update(repeating: 0.25) }
        let parameters = Dictionary(uniqueKeysWithValues: network.arena.trainable + network.arena.buffers)
        for (name, p) in reference.arena.trainable + reference.arena.buffers { _ = p.value.values.update(fromContentsOf: parameters[name]!.value.values) }
        let before = network.arena.buffers.map { $0.parameter.value.array }

        var generator = SplitMix64(seed: 9)
        let x = Tensor(zeros: [4, 2, 5, 5])
        for i in 0..<x.count { x[i] = generator.nextFloat() * 2 - 1 }
        for (model, mode) in [(network, Context.Mode.training), (reference, .inference)] {
            let context = Context(mode: mode)
            let y = try model.forward(x, context: context)
            model.arena.zeroGradients()
            try model.backward(Tensor(shape: y.shape, values: (0..<y.count).map { Float($0 % 5) - 2 }), context: context)
        }
        for (name, p) in reference.arena.trainable where name.hasPrefix("fc.") {
            #expect(parameters[name]!.gradient.array == p.gradient.array, "\(name)")
        }
        SGD(arena: network.arena, momentum: 0.9).step(learningRate: 0.1)
        #expect(network.arena.buffers.map { $0.parameter.value.array } == before)
    }

    /// `--lr-head-multiplier`: the classifier's update is the multiplier times that of a plain step.
    @Test(arguments: ["sgd", "adam", "lars", "lamb"])
    func theClassifierMovesByTheMultiplier(optimizer kind: String) throws {
        func step(multiplier: Float) throws -> (before: [Float], after: [Float], fc: Range<Int>) {
            let network = try Network(root: Self.model(), inputShape: [2, 5, 5])
            network.arena.initialize(seed: 5)
            if multiplier != 1 { network.scaleLearningRate(under: network.classifier, by: multiplier) }
            let optimizer: any Optimizer = switch kind {
            case "sgd": SGD(arena: network.arena, momentum: 0.9)
            case "adam": Adam(arena: network.arena)
            case "lars": LARS(arena: network.arena)
            default: LAMB(arena: network.arena)
            }
            var generator = SplitMix64(seed: 3)
            for i in 0..<network.arena.gradients.count { network.arena.gradients[i] = generator.nextFloat() - 0.5 }
            let before = Array(network.arena.values)
            optimizer.step(learningRate: 0.01)
            let fc = network.arena.trainable.first { $0.name == "fc.weight" }!.parameter.offset..<network.arena.trainableCount
            return (before, Array(network.arena.values), fc)
        }
        let plain = try step(multiplier: 1), scaled = try step(multiplier: 10)
        for i in 0..<plain.before.count {
            let expected = plain.fc.contains(i) ? 10 * (plain.after[i] - plain.before[i]) : plain.after[i] - plain.before[i]
            #expect(abs((scaled.after[i] - scaled.before[i]) - expected) <= 1e-6 * max(1, abs(expected)) + 1e-7, "element \(i)")
        }
    }
}
