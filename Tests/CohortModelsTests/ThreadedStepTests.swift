import CohortCore
import CohortModels
import CohortTestSupport
import Testing

/// A rank's threads change how work is split, not what is computed: a training step of each model
/// on 3 threads (splits that do not divide the batch, channels or units evenly) gives the logits
/// and gradients of 1 thread. Elementwise, per-channel and per-row work is split without changing
/// any sum, so it is bitwise equal; a convolution's weight gradient adds per-thread partial sums,
/// which moves only the float rounding. Between them the models use every layer kind. The deep
/// ones run `smoothed`: after dozens of layers some activation lies within rounding of a ReLU's or
/// max-pool's kink and takes the other branch on one side (2e-3 to 5e-3 of the gradient's norm in
/// googlenet and xception), which says nothing about the threads. se-resnet50 runs F(2×2) tiles: over
/// its 50 layers F(4×4)'s tenfold rounding alone moves the logits by 3e-5 between thread counts.
@Suite struct ThreadedStepTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var model: String, input: Shape, convolution: Conv2D.Algorithm, smoothed = false
        var testDescription: String { "\(model)\(smoothed ? " (smoothed)" : "") at \(input), \(convolution)" }
    }

    /// Logits and every gradient after forward and backward of one batch on `threads` threads.
    static func step(_ c: Case, threads: Int) throws -> (logits: [Float], gradients: [Float], buffers: [Float]) {
        let batch = 5
        let root = try ModelZoo.entry(named: c.model).make(10, c.input)
        let network = try Network(root: c.smoothed ? ZooFixtures.smoothed(root) : root, inputShape: c.input, convolution: c.convolution)
        network.arena.initialize(seed: 5)
        let x = ZooFixtures.batch(batch, input: c.input, seed: 9), labels = (0..<batch).map { Int32($0 * 3 % 10) }
        let context = ZooFixtures.context(batch: batch, threads: threads)
        let loss = SoftmaxCrossEntropy()
        let logits = try network.forward(x, context: context)
        _ = try loss.compute(logits: logits, labels: labels, divisor: batch, threads: threads)
        network.arena.zeroGradients(threads: threads)
        try network.backward(loss.gradient, context: context)
        return (Array(logits.values), Array(network.arena.gradients), Array(network.arena.bufferValues))
    }

    @Test(arguments: [
        Case(model: "fashion-cnn", input: [1, 28, 28], convolution: .automatic),
        Case(model: "fashion-cnn", input: [1, 28, 28], convolution: .winograd2x2),
        Case(model: "fashion-cnn", input: [1, 28, 28], convolution: .im2col),
        Case(model: "resnet18-cifar", input: [3, 16, 16], convolution: .automatic),
        Case(model: "googlenet", input: [3, 32, 32], convolution: .automatic, smoothed: true),
        Case(model: "alexnet-lrn", input: [3, 67, 67], convolution: .im2col),
        Case(model: "lenet5-classic", input: [1, 28, 28], convolution: .automatic),
        Case(model: "xception", input: [3, 32, 32], convolution: .automatic, smoothed: true),
        Case(model: "se-resnet50", input: [3, 32, 32], convolution: .winograd2x2, smoothed: true),
    ])
    func threeThreadsComputeWhatOneThreadDoes(_ c: Case) throws {
        let one = try Self.step(c, threads: 1), three = try Self.step(c, threads: 3)
        let logits = RelativeDifference.norm(one.logits, three.logits)
        let gradients = RelativeDifference.norm(one.gradients, three.gradients)
        let buffers = RelativeDifference.norm(one.buffers, three.buffers)
        #expect(logits <= 1e-5, "\(c.model): logits differ by \(logits)")
        #expect(gradients <= 1e-4, "\(c.model): gradients differ by \(gradients)")
        #expect(buffers <= 1e-5, "\(c.model): BatchNorm running statistics differ by \(buffers)")
        let again = try Self.step(c, threads: 3).gradients
        #expect(again == three.gradients, "\(c.model): two 3-thread steps differ by \(RelativeDifference.norm(three.gradients, again))")
    }
}
