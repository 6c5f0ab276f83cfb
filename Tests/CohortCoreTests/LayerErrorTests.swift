import CohortCore
import Testing

@Suite struct LayerErrorTests {
    @Test func wrongInputShapeNamesLayerAndShapes() throws {
        let network = try Network(root: Sequential([Conv2D(filters: 4, kernel: 3, name: "conv1"), Flatten(name: "flat")]), inputShape: [1, 8, 8])
        let bad = Tensor(zeros: [2, 3, 8, 8])
        #expect(throws: CoreError.shapeMismatch(layer: "conv1", expected: "[N, 1, 8, 8]", got: [2, 3, 8, 8])) {
            _ = try network.forward(bad, context: Context(mode: .inference))
        }
        let error = CoreError.shapeMismatch(layer: "conv1", expected: "[N, 1, 8, 8]", got: [2, 3, 8, 8])
        #expect(error.description == "layer 'conv1': expected input [N, 1, 8, 8], got [2, 3, 8, 8]")
    }

    @Test func tooSmallInputNamesLayer() {
        let model = Sequential([Conv2D(filters: 2, kernel: 3, padding: .valid, name: "c1"), MaxPool2D(kernel: 2, name: "p1"),
                                Conv2D(filters: 2, kernel: 3, padding: .valid, name: "c2")])
        #expect(throws: CoreError.spatialTooSmall(layer: "c2", input: [2, 1, 1])) { _ = try Network(root: model, inputShape: [1, 4, 4]) }
    }

    /// Input 2 + no padding is smaller than kernel 3: zero windows, even at stride 2.
    @Test func explicitPaddingTooSmallForOneWindowIsAnError() {
        let conv = Conv2D(filters: 1, kernel: 3, stride: 2, padding: .explicit(height: 0, width: 0), name: "c")
        #expect(throws: CoreError.spatialTooSmall(layer: "c", input: [1, 2, 2])) { _ = try Network(root: conv, inputShape: [1, 2, 2]) }
    }

    @Test func lossRejectsOutOfRangeLabel() throws {
        let logits = Tensor(zeros: [1, 3])
        #expect(throws: CoreError.self) { _ = try SoftmaxCrossEntropy().compute(logits: logits, labels: [3], divisor: 1) }
    }

    @Test func lossAndGradientAreCorrect() throws {
        let logits = Tensor(shape: [1, 3], values: [1, 2, 3])
        let loss = SoftmaxCrossEntropy()
        let result = try loss.compute(logits: logits, labels: [2], divisor: 2)
        let sum = exp(1.0) + exp(2.0) + exp(3.0)
        #expect(abs(result.lossSum - (log(sum) - 3)) < 1e-6)
        #expect(result.correct == 1)
        #expect(abs(Double(loss.gradient[0]) - exp(1.0) / sum / 2) < 1e-6)
        #expect(abs(Double(loss.gradient[2]) - (exp(3.0) / sum - 1) / 2) < 1e-6)
        #expect(Accuracy.topK(logits: logits, labels: [0], k: 2) == 0)
        #expect(Accuracy.topK(logits: logits, labels: [1], k: 2) == 1)
    }
}

#if canImport(Glibc)
import Glibc
#endif
