import CohortCore
import CohortRandom
import Testing

/// A ReLU right after a convolution in a `Sequential` is applied by the convolution as it writes its
/// output, one right after a BatchNorm is applied and differentiated by the BatchNorm, and either
/// gives bitwise what the layer and a ReLU of its own give, forward and backward.
@Suite struct FusedReLUTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var channels: Int, size: Int, kernel: Int, algorithm: Conv2D.Algorithm
        var testDescription: String { "C\(channels) \(size)x\(size) k\(kernel) \(algorithm)" }
    }

    /// Winograd F(4×4) and F(2×2), im2col in chunks, and a 1×1 layer multiplying each image in place.
    @Test(arguments: [
        Case(channels: 16, size: 12, kernel: 3, algorithm: .automatic),
        Case(channels: 16, size: 12, kernel: 3, algorithm: .winograd2x2),
        Case(channels: 16, size: 12, kernel: 3, algorithm: .im2col),
        Case(channels: 8, size: 14, kernel: 1, algorithm: .automatic),
    ])
    func fusedEqualsSeparate(_ c: Case) throws {
        let (batch, filters, input): (Int, Int, Shape) = (5, 16, [c.channels, c.size, c.size])
        let fusedConv = Conv2D(filters: filters, kernel: c.kernel, name: "conv")
        let fused = try Network(root: Sequential([fusedConv, Activation(.relu, name: "relu")]), inputShape: input, inputGradient: true,
                                convolution: c.algorithm)
        let plainConv = Conv2D(filters: filters, kernel: c.kernel, name: "conv")
        let plain = try Network(root: plainConv, inputShape: input, inputGradient: true, convolution: c.algorithm)
        #expect(fusedConv.rectifiesOutput && !plainConv.rectifiesOutput)
        var generator = SplitMix64(seed: 11)
        for network in [fused, plain] { network.arena.initialize(seed: 4) }
        for conv in [fusedConv, plainConv] {
            for i in 0..<conv.bias!.count { conv.bias!.value[i] = Float(i % 3) * 0.1 - 0.1 }
        }
        let x = Tensor(zeros: [batch, c.channels, c.size, c.size])
        for i in 0..<x.count { x[i] = generator.nextFloat() - 0.5 }
        let dy = Tensor(zeros: [batch, filters, c.size, c.size])
        for i in 0..<dy.count { dy[i] = generator.nextFloat() - 0.5 }
        try expectFusedEqualsSeparate(fused: fused, plain: plain, x: x, dy: dy)
    }

    /// BatchNorm with batch statistics (training) and with its running ones (γ and β frozen), on 2 threads.
    @Test(arguments: [false, true])
    func fusedBatchNormEqualsSeparate(frozen: Bool) throws {
        let (batch, input): (Int, Shape) = (5, [6, 7, 7])
        let fusedNorm = BatchNorm(name: "bn"), plainNorm = BatchNorm(name: "bn")
        let relu = Activation(.relu, name: "relu")
        let frozenNames = frozen ? ["bn"] : []
        let fused = try Network(root: Sequential([fusedNorm, relu]), inputShape: input, inputGradient: true, frozen: frozenNames)
        let plain = try Network(root: Sequential([plainNorm]), inputShape: input, inputGradient: true, frozen: frozenNames)
        #expect(fusedNorm.rectifiesOutput && relu.isDifferentiatedByPreviousLayer && !plainNorm.rectifiesOutput)
        var generator = SplitMix64(seed: 5)
        for norm in [fusedNorm, plainNorm] {
            for ch in 0..<6 {
                norm.weight.value[ch] = 0.5 + Float(ch) * 0.1
                norm.bias.value[ch] = Float(ch % 3) * 0.2 - 0.2
                norm.runningMean.value[ch] = 0.1 * Float(ch)
                norm.runningVariance.value[ch] = 1 + 0.05 * Float(ch)
            }
        }
        let x = Tensor(zeros: Shape([batch] + input.dims))
        for i in 0..<x.count { x[i] = generator.nextFloat() - 0.4 }
        let dy = Tensor(zeros: x.shape)
        for i in 0..<dy.count { dy[i] = generator.nextFloat() - 0.5 }
        try expectFusedEqualsSeparate(fused: fused, plain: plain, x: x, dy: dy)
    }

    /// On 2 threads: `fused` (the layer and its ReLU) outputs the ReLU of what `plain` (the layer
    /// alone) outputs, and, for dy, the input and parameter gradients `plain` gives for dy masked
    /// where its output is not positive, bitwise.
    func expectFusedEqualsSeparate(fused: Network, plain: Network, x: Tensor, dy: Tensor) throws {
        let context = Context(mode: .training, threads: 2)
        let y = Array(try fused.forward(x, context: context).values)
        let linear = Array(try plain.forward(x, context: context).values)
        #expect(linear.contains { $0 < 0 }, "the case must have negative outputs to rectify")
        #expect(y == linear.map { max($0, 0) })

        fused.arena.zeroGradients()
        let dx = Array(try fused.root.backward(dy, context: context).values)
        let masked = Tensor(zeros: dy.shape)
        for i in 0..<dy.count { masked[i] = linear[i] > 0 ? dy[i] : 0 }
        plain.arena.zeroGradients()
        let plainDX = Array(try plain.root.backward(masked, context: context).values)
        #expect(dx == plainDX)
        #expect(Array(fused.arena.gradients) == Array(plain.arena.gradients))
    }
}
