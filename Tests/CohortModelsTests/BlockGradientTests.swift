import CohortCore
import CohortModels
import CohortTestSupport
import Testing

/// Finite-difference gradient checks of the zoo's composite blocks, built by the zoo's own block
/// functions at tiny widths: input and every parameter (docs/DESIGN.md §9.2), BatchNorm in training mode.
///
/// Each block's ReLUs are swapped for tanh and its max pools for average pools of the same geometry
/// (`ZooFixtures.smoothed`): with several kinks in a row some pre-activation, or some pair of pooled values,
/// always lies within ε of a kink and central differences become meaningless.
/// The wiring under test — residual sums, projections, branch concatenation, excitation, separable
/// convolutions, backward order and gradient accumulation — is unchanged; ReLU and max pooling
/// themselves are checked in CohortCoreTests.
///
/// The step ε balances the central difference's O(ε²) truncation against float32 rounding of the
/// loss. The basic blocks' BatchNorms normalise over only 27 or 48 values, so their loss bends sharply:
/// at ε = 1e-2 truncation alone reaches the tolerance (0.021 on this Xeon), at 3e-3 it is 0.007.
@Suite struct BlockGradientTests {
    static let tolerance = 2e-2

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String, block: @Sendable () -> any Layer, input: Shape
        var epsilon = 1e-2
        var testDescription: String { label }
    }

    @Test(arguments: [
        Case(label: "basic block, projection", block: { ResNet.basicBlock(inputChannels: 2, width: 3, stride: 2, name: "b") }, input: [2, 5, 5],
             epsilon: 3e-3),
        Case(label: "basic block, identity", block: { ResNet.basicBlock(inputChannels: 3, width: 3, stride: 1, name: "b") }, input: [3, 4, 4],
             epsilon: 3e-3),
        Case(label: "bottleneck, projection", block: { ResNet.bottleneck(inputChannels: 3, width: 2, stride: 2, name: "b") }, input: [3, 5, 5]),
        Case(label: "bottleneck + SE, identity", block: { ResNet.bottleneck(inputChannels: 8, width: 2, stride: 1, squeezeExcitation: 4, name: "b") },
             input: [8, 3, 3]),
        Case(label: "inception module", block: { GoogLeNet.inception(.init(oneByOne: 2, reduce3x3: 2, conv3x3: 3, reduce5x5: 1, conv5x5: 2, poolProjection: 2), name: "m") }, input: [3, 4, 4]),
        Case(label: "xception entry block", block: { Xception.downsamplingBlock(block: 3, filters: (3, 4), leadingReLU: true) }, input: [2, 5, 5]),
        Case(label: "xception middle block", block: { Xception.middleBlock(block: 5, channels: 3) }, input: [3, 3, 3]),
    ])
    func compositeBlock(_ c: Case) throws {
        let report = try GradientChecker.check(ZooFixtures.smoothed(c.block()), inputShape: c.input, batch: 3, epsilon: c.epsilon)
        #expect(report.worstRelativeError < Self.tolerance, "\(c.label): \(report)")
    }
}
