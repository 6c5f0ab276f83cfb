import CohortCore
import CohortRandom
import CohortTestSupport
import Testing

/// Finite-difference gradient checks for every layer (input and every parameter).
@Suite struct GradientCheckTests {
    static let tolerance = 2e-2

    struct ConvCase: CustomTestStringConvertible, Sendable {
        var channels: Int, size: Int, filters: Int, kernel: Int, stride: Int, padding: Padding, groups: Int, bias: Bool
        var algorithm = Conv2D.Algorithm.automatic
        var testDescription: String { "C\(channels) \(size)x\(size) K\(filters) k\(kernel) s\(stride) \(padding) g\(groups) bias:\(bias) \(algorithm)" }
    }

    @Test(arguments: [
        ConvCase(channels: 2, size: 5, filters: 3, kernel: 3, stride: 1, padding: .same, groups: 1, bias: true),
        ConvCase(channels: 3, size: 6, filters: 4, kernel: 3, stride: 2, padding: .same, groups: 1, bias: false),
        ConvCase(channels: 2, size: 7, filters: 2, kernel: 3, stride: 2, padding: .valid, groups: 1, bias: true),
        ConvCase(channels: 2, size: 5, filters: 3, kernel: 1, stride: 1, padding: .valid, groups: 1, bias: true),
        ConvCase(channels: 2, size: 14, filters: 3, kernel: 1, stride: 1, padding: .valid, groups: 1, bias: true),  // images as their columns
        ConvCase(channels: 4, size: 14, filters: 4, kernel: 1, stride: 1, padding: .same, groups: 2, bias: false),
        ConvCase(channels: 1, size: 9, filters: 2, kernel: 7, stride: 1, padding: .same, groups: 1, bias: true),
        ConvCase(channels: 4, size: 5, filters: 4, kernel: 3, stride: 1, padding: .explicit(height: 1, width: 1), groups: 2, bias: true),
        ConvCase(channels: 3, size: 6, filters: 3, kernel: 3, stride: 2, padding: .same, groups: 3, bias: false),
        ConvCase(channels: 2, size: 4, filters: 4, kernel: 3, stride: 1, padding: .same, groups: 2, bias: true),
        ConvCase(channels: 2, size: 11, filters: 2, kernel: 5, stride: 4, padding: .valid, groups: 1, bias: true),
        ConvCase(channels: 16, size: 5, filters: 16, kernel: 3, stride: 1, padding: .same, groups: 1, bias: true, algorithm: .winograd2x2),  // Winograd F(2×2)
        ConvCase(channels: 16, size: 7, filters: 16, kernel: 3, stride: 1, padding: .same, groups: 1, bias: false),  // F(4×4)
        ConvCase(channels: 16, size: 6, filters: 16, kernel: 5, stride: 1, padding: .same, groups: 1, bias: true),  // F(2×2, 5×5)
    ])
    func conv2D(_ c: ConvCase) throws {
        let layer = Conv2D(filters: c.filters, kernel: c.kernel, stride: c.stride, padding: c.padding, groups: c.groups, bias: c.bias, name: "conv")
        layer.algorithm = c.algorithm
        // The loss is linear in every single input and weight, so central differences are exact at
        // any step; a wide one keeps float32 rounding (F(4×4) rounds more) out of the numeric side.
        let report = try GradientChecker.check(layer, inputShape: [c.channels, c.size, c.size], batch: 3, epsilon: 0.5)
        #expect(report.worstRelativeError < Self.tolerance, "\(report)")
        #expect((layer.winogradTile != nil) == (c.channels >= 16), "Winograd takes exactly the 3x3 and 5x5 stride-1 cases with 16 channels")
    }

    @Test(arguments: [(1, 3, Padding.same), (2, 1, .valid), (1, 2, .same)])
    func separableConv2D(multiplier: Int, stride: Int, padding: Padding) throws {
        let layer = SeparableConv2D(filters: 3, kernel: 3, stride: stride, padding: padding, depthMultiplier: multiplier, name: "sep")
        let report = try GradientChecker.check(layer, inputShape: [2, 6, 6])
        #expect(report.worstRelativeError < Self.tolerance, "\(report)")
    }

    @Test(arguments: [true, false])
    func dense(bias: Bool) throws {
        let report = try GradientChecker.check(Dense(units: 4, bias: bias, name: "fc"), inputShape: [2, 3, 2], batch: 3)
        #expect(report.worstRelativeError < Self.tolerance, "\(report)")
    }

    /// Distinct input values (a shuffled ramp) keep the maximum away from ties.
    static func ramp(_ generator: inout SplitMix64, _ index: Int) -> Float {
        Float((index * 7919) % 1009) / 1009 * 4 - 2
    }

    @Test(arguments: [(2, 2, Padding.valid), (3, 2, .valid), (3, 2, .same), (3, 1, .same), (3, 2, .explicit(height: 1, width: 1))])
    func maxPool2D(kernel: Int, stride: Int, padding: Padding) throws {
        let layer = MaxPool2D(kernel: kernel, stride: stride, padding: padding, name: "pool")
        let report = try GradientChecker.check(layer, inputShape: [2, 7, 7], epsilon: 1e-4, input: Self.ramp)
        #expect(report.worstRelativeError < Self.tolerance, "\(report)")
    }

    @Test(arguments: [(2, 2, Padding.valid), (3, 2, .same), (3, 1, .same), (5, 3, .valid)])
    func avgPool2D(kernel: Int, stride: Int, padding: Padding) throws {
        let report = try GradientChecker.check(AvgPool2D(kernel: kernel, stride: stride, padding: padding, name: "pool"), inputShape: [2, 7, 7])
        #expect(report.worstRelativeError < Self.tolerance, "\(report)")
    }

    @Test(arguments: [GlobalPool.Reduction.average, .maximum])
    func globalPool(_ reduction: GlobalPool.Reduction) throws {
        let report = try GradientChecker.check(GlobalPool(reduction, name: "gap"), inputShape: [3, 4, 4], epsilon: 1e-4, input: Self.ramp)
        #expect(report.worstRelativeError < Self.tolerance, "\(report)")
    }

    @Test(arguments: [Context.Mode.training, .inference])
    func batchNorm(mode: Context.Mode) throws {
        let spatial = try GradientChecker.check(BatchNorm(name: "bn"), inputShape: [3, 3, 3], batch: 4, mode: mode)
        #expect(spatial.worstRelativeError < Self.tolerance, "\(spatial)")
        let flat = try GradientChecker.check(BatchNorm(name: "bn"), inputShape: [5], batch: 6, mode: mode)
        #expect(flat.worstRelativeError < Self.tolerance, "\(flat)")
    }

    @Test(arguments: [(5, 2.0, 1e-4, 0.75), (3, 1.0, 0.5, 0.75)])
    func localResponseNorm(size: Int, k: Float, alpha: Float, beta: Float) throws {
        let layer = LocalResponseNorm(size: size, k: k, alpha: alpha, beta: beta, name: "lrn")
        let report = try GradientChecker.check(layer, inputShape: [6, 3, 3])
        #expect(report.worstRelativeError < Self.tolerance, "\(report)")
    }

    @Test func dropout() throws {
        let report = try GradientChecker.check(Dropout(rate: 0.5, name: "drop"), inputShape: [20])
        #expect(report.worstRelativeError < Self.tolerance, "\(report)")
    }

    /// Inputs kept away from 0, where ReLU has its kink.
    static func awayFromZero(_ generator: inout SplitMix64, _ index: Int) -> Float {
        let v = generator.nextFloat() * 1.6 + 0.2
        return index % 2 == 0 ? v : -v
    }

    @Test(arguments: [Activation.Function.relu, .tanh, .sigmoid])
    func activation(_ function: Activation.Function) throws {
        let report = try GradientChecker.check(Activation(function, name: "act"), inputShape: [2, 3, 3], input: Self.awayFromZero)
        #expect(report.worstRelativeError < Self.tolerance, "\(report)")
    }

    @Test func flattenAndZeroPad() throws {
        let model = Sequential([ZeroPad2D(top: 1, bottom: 2, left: 0, right: 1, name: "pad"), Flatten(name: "flat"), Dense(units: 3, name: "fc")])
        let report = try GradientChecker.check(model, inputShape: [2, 3, 3])
        #expect(report.worstRelativeError < Self.tolerance, "\(report)")
    }

    @Test func residualWithProjection() throws {
        let block = Residual(
            main: Sequential([Conv2D(filters: 4, kernel: 3, stride: 2, bias: false, name: "conv1"), BatchNorm(name: "bn1"),
                              Activation(.tanh, name: "act"), Conv2D(filters: 4, kernel: 3, bias: false, name: "conv2")]),
            shortcut: Sequential([Conv2D(filters: 4, kernel: 1, stride: 2, bias: false, name: "proj"), BatchNorm(name: "bn")]))
        let report = try GradientChecker.check(block, inputShape: [2, 5, 5], batch: 3)
        #expect(report.worstRelativeError < Self.tolerance, "\(report)")
    }

    @Test func residualIdentity() throws {
        let block = Residual(main: Sequential([Conv2D(filters: 2, kernel: 3, name: "conv"), Activation(.tanh, name: "act")]))
        let report = try GradientChecker.check(block, inputShape: [2, 4, 4])
        #expect(report.worstRelativeError < Self.tolerance, "\(report)")
    }

    /// Residuals inside residuals, and branches that return dY itself (a rate-0 dropout): each block
    /// must sum its branches without writing the dY its enclosing block hands to both branches.
    @Test func nestedResidualsAndPassThroughBranches() throws {
        func inner(_ name: String) -> Residual {
            Residual(name: name, main: Sequential([Conv2D(filters: 2, kernel: 3, name: "conv"), Activation(.tanh, name: "act")]))
        }
        // The inner blocks come last, so they receive the outer block's dY itself.
        let block = Residual(main: Sequential([Conv2D(filters: 2, kernel: 3, name: "conv"), inner("a")]),
                             shortcut: Sequential([Dropout(rate: 0, name: "drop"), inner("b")]))
        let passThrough = Residual(main: Dropout(rate: 0, name: "drop"), shortcut: Dropout(rate: 0, name: "drop2"))
        for layer in [block, passThrough] {
            let report = try GradientChecker.check(Sequential([layer, Activation(.tanh, name: "out")]), inputShape: [2, 4, 4])
            #expect(report.worstRelativeError < Self.tolerance, "\(report)")
        }
    }

    @Test func concatInception() throws {
        let module = Concat([
            Conv2D(filters: 2, kernel: 1, name: "b1"),
            Sequential([Conv2D(filters: 2, kernel: 1, name: "reduce"), Conv2D(filters: 3, kernel: 3, name: "conv")]),
            Sequential([AvgPool2D(kernel: 3, stride: 1, padding: .same, name: "pool"), Conv2D(filters: 1, kernel: 1, name: "proj")]),
        ])
        let report = try GradientChecker.check(module, inputShape: [3, 4, 4])
        #expect(report.worstRelativeError < Self.tolerance, "\(report)")
    }

    @Test func squeezeExcitation() throws {
        // Positive inputs give pooled values of about 1, so ReLU pre-activations sit away from the kink.
        let report = try GradientChecker.check(SqueezeExcitation(reduction: 2, name: "se"), inputShape: [4, 3, 3], batch: 3, epsilon: 1e-3,
                                               input: { generator, _ in generator.nextFloat() + 0.5 })
        #expect(report.worstRelativeError < Self.tolerance, "\(report)")
    }
}
