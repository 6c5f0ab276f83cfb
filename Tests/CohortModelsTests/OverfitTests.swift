import CohortCore
import CohortModels
import Testing

/// Training drives the loss towards zero when overfitting one small batch (random inputs, fixed labels).
@Suite struct OverfitTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var model: String, input: Shape, steps: Int, learningRate: Float
        var testDescription: String { "\(model) at \(input)" }
    }

    @Test(arguments: [
        Case(model: "fashion-cnn", input: [1, 28, 28], steps: 30, learningRate: 0.02),
        Case(model: "lenet5", input: [1, 28, 28], steps: 30, learningRate: 0.05),
        Case(model: "resnet18", input: [3, 32, 32], steps: 20, learningRate: 0.02),
        Case(model: "googlenet", input: [3, 32, 32], steps: 30, learningRate: 0.02),
        Case(model: "xception", input: [3, 32, 32], steps: 20, learningRate: 0.02),
        Case(model: "se-resnet50", input: [3, 32, 32], steps: 20, learningRate: 0.02),
    ])
    func lossFallsWhenOverfittingOneBatch(_ c: Case) throws {
        let batch = 8
        let network = try ModelZoo.network(named: c.model, classes: 10, input: c.input)
        network.arena.initialize(seed: 11)
        let x = ZooFixtures.batch(batch, input: c.input, seed: 13)
        let labels = (0..<batch).map { Int32($0 % 10) }
        let loss = SoftmaxCrossEntropy()
        let optimizer = SGD(arena: network.arena, momentum: 0.9)
        var losses: [Double] = []
        for _ in 0..<c.steps {
            losses.append(try ZooFixtures.step(network, x, labels: labels, loss: loss, optimizer: optimizer, learningRate: c.learningRate))
        }
        let final = try ZooFixtures.loss(network, x, labels: labels, loss: loss)
        #expect(final.isFinite)
        #expect(losses[0] > 1.5, "an untrained model should be near ln 10 ≈ 2.3, got \(losses[0])")
        #expect(final < 0.05, "\(c.model): loss \(losses[0]) → \(final)")
    }
}
