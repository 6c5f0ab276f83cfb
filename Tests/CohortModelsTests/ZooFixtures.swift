import CohortCore
import CohortModels
import CohortRandom

/// Helpers shared by the zoo tests: seeded batches and one plain SGD training step.
enum ZooFixtures {
    /// The reference figures of docs/DESIGN.md §8.1, each with the convention it is stated in.
    enum Reference: Sendable, CustomStringConvertible {
        /// Keras's "Total params": trainable + BatchNorm moving mean/variance.
        case total(Int)
        /// torchvision's `sum(p.numel() for p in model.parameters())`: trainable only.
        case trainable(Int)

        var description: String {
            switch self {
            case let .total(n): return "total \(n)"
            case let .trainable(n): return "trainable \(n)"
            }
        }
    }

    static let references: [(model: String, reference: Reference)] = [
        ("fashion-cnn", .total(1_413_834)), ("lenet5", .total(545_546)), ("lenet5-classic", .total(61_706)),
        ("alexnet", .total(62_383_848)), ("alexnet-lrn", .total(62_378_344)), ("vgg16", .total(138_357_544)),
        ("googlenet", .total(6_994_392)), ("resnet18", .trainable(11_689_512)), ("resnet34", .trainable(21_797_672)),
        ("resnet50", .trainable(25_557_032)), ("resnet101", .trainable(44_549_160)), ("resnet152", .trainable(60_192_808)),
        ("resnet18-cifar", .trainable(11_173_962)), ("resnet18-fashion", .trainable(11_172_810)),
        ("xception", .total(22_910_480)), ("se-resnet50", .trainable(28_088_024)),
    ]

    /// The same unbuilt architecture with every ReLU replaced by tanh and every max pool by an
    /// average pool: no kinks, so rounding cannot send a value down another branch.
    static func smoothed(_ layer: any Layer) -> any Layer {
        switch layer {
        case let activation as Activation where activation.function == .relu: return Activation(.tanh, name: activation.name)
        case let pool as MaxPool2D: return AvgPool2D(kernel: pool.kernel, stride: pool.stride, padding: pool.padding, name: pool.name)
        case let sequential as Sequential: return Sequential(name: sequential.name, sequential.layers.map(smoothed))
        case let residual as Residual: return Residual(name: residual.name, main: smoothed(residual.main), shortcut: residual.shortcut.map(smoothed))
        case let concat as Concat: return Concat(name: concat.name, concat.branches.map(smoothed))
        default: return layer
        }
    }

    /// A batch of `n` samples of `input`, uniform in [-1, 1], from `seed`.
    static func batch(_ n: Int, input: Shape, seed: UInt64) -> Tensor {
        var generator = SplitMix64(seed: seed)
        let x = Tensor(zeros: input.batched(n))
        for i in 0..<x.count { x[i] = generator.nextFloat() * 2 - 1 }
        return x
    }

    /// A training context with one fixed sample key per sample, on `threads` threads.
    static func context(batch n: Int, threads: Int = 1) -> Context {
        Context(mode: .training, threads: threads, sampleKeys: (0..<n).map { SampleKey(seed: 11, epoch: 0, index: $0) })
    }

    /// The mean cross-entropy of (x, labels) in training mode, without touching gradients or weights.
    static func loss(_ network: Network, _ x: Tensor, labels: [Int32], loss: SoftmaxCrossEntropy) throws -> Double {
        let logits = try network.forward(x, context: context(batch: labels.count))
        return try loss.compute(logits: logits, labels: labels, divisor: labels.count).lossSum / Double(labels.count)
    }

    /// One SGD step on (x, labels): forward, mean cross-entropy, backward, update. Returns the loss before the update.
    @discardableResult
    static func step(_ network: Network, _ x: Tensor, labels: [Int32], loss: SoftmaxCrossEntropy, optimizer: SGD, learningRate: Float) throws -> Double {
        let context = context(batch: labels.count)
        let logits = try network.forward(x, context: context)
        let result = try loss.compute(logits: logits, labels: labels, divisor: labels.count)
        network.arena.zeroGradients()
        try network.backward(loss.gradient, context: context)
        optimizer.step(learningRate: learningRate)
        return result.lossSum / Double(labels.count)
    }
}
