import CohortCore
import CohortModels
import Testing

/// Every model runs forward and backward at small inputs (Fashion-MNIST and CIFAR sizes where the
/// architecture allows) and at its default input, giving logits [N, classes] and a finite input gradient.
@Suite struct ShapeTests {
    /// Small inputs per model. AlexNet's three valid 3×3/2 pools need 67×67 (its smallest input);
    /// VGG-16's five 2×2 pools need 32×32, so it has no 28×28 case.
    static let smallInputs: [(model: String, input: Shape)] = ModelZoo.names.flatMap { name -> [(String, Shape)] in
        switch name {
        case "alexnet", "alexnet-lrn": return [(name, [3, 67, 67])]
        case "vgg16": return [(name, [3, 32, 32])]
        default: return [(name, [1, 28, 28]), (name, [3, 32, 32])]
        }
    }

    @Test(arguments: smallInputs)
    func forwardAndBackwardAtASmallInput(model: String, input: Shape) throws {
        try Self.runOnce(model: model, classes: 10, input: input, batch: 2)
    }

    /// Batch 1 at each model's default input (224×224, 299×299 for Xception), including VGG-16 and ResNet-152.
    @Test(.serialized, arguments: ModelZoo.names)
    func forwardAndBackwardAtTheDefaultInput(model: String) throws {
        let entry = try ModelZoo.entry(named: model)
        try Self.runOnce(model: model, classes: entry.defaultClasses, input: entry.defaultInput, batch: 1)
    }

    private static func runOnce(model: String, classes: Int, input: Shape, batch: Int) throws {
        let network = try ModelZoo.network(named: model, classes: classes, input: input, inputGradient: true)
        network.arena.initialize(seed: 3)
        let x = ZooFixtures.batch(batch, input: input, seed: 5)
        let context = ZooFixtures.context(batch: batch)
        let logits = try network.forward(x, context: context)
        #expect(logits.shape == [batch, classes])
        #expect(logits.array.allSatisfy { $0.isFinite })
        let dy = Tensor(shape: logits.shape, values: (0..<logits.count).map { Float($0 % 3) - 1 })
        network.arena.zeroGradients()
        let dx = try network.root.backward(dy, context: context)
        #expect(dx.shape == x.shape)
        #expect(dx.array.allSatisfy { $0.isFinite })
        #expect(network.arena.gradients.contains { $0 != 0 }, "no gradient reached the parameters")
    }
}
