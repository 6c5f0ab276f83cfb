import CohortCore
import Testing

/// Memory reuse within a step: the tensor pool behind input gradients and workspaces, and
/// activations that overwrite an output no one reads again.
@Suite struct BufferReuseTests {
    @Test func poolLendsOnlyTensorsNoOneHolds() {
        let pool = TensorPool()
        var first: Tensor? = pool.take([8])
        let firstID = ObjectIdentifier(first!)
        let second = pool.take([8])
        withExtendedLifetime(second) {
            #expect(ObjectIdentifier(second) != firstID)
            first = nil
            let third = pool.take([4])
            #expect(ObjectIdentifier(third) == firstID)
            #expect(third.shape == [4])
        }
        #expect(pool.capacity == 16)
    }

    @Test func poolPicksTheSmallestFreeTensorThatFits() {
        let pool = TensorPool()
        let largeID = withTensors(pool.take([8]), pool.take([100])) { ObjectIdentifier($1) }
        let taken = pool.take([50])
        #expect(ObjectIdentifier(taken) == largeID)
        #expect(pool.capacity == 108)
    }

    private func withTensors<T>(_ a: Tensor, _ b: Tensor, _ body: (Tensor, Tensor) -> T) -> T {
        withExtendedLifetime((a, b)) { body(a, b) }
    }

    @Test func activationRunsInPlaceOnlyAfterAnOverwritableOutput() throws {
        let relu = Activation(.relu, name: "relu"), tanh = Activation(.tanh, name: "tanh"), head = Activation(.relu, name: "head")
        let model = Sequential([head, BatchNorm(name: "bn"), relu, tanh])
        _ = try model.build(input: [2, 3, 3])
        #expect(!head.inPlace)
        #expect(relu.inPlace)
        #expect(!tanh.inPlace)
    }

    /// Stacks of conv → BatchNorm → ReLU: with one gradient per layer the memory backward holds would grow
    /// with depth; from the pool it is a few activations' worth and the shared im2col workspace, at any depth.
    @Test func backwardMemoryDoesNotGrowWithDepth() throws {
        let shallow = try pooledFloatsAfterOneStep(depth: 5), deep = try pooledFloatsAfterOneStep(depth: 30)
        #expect(deep <= shallow, "depth 5: \(shallow) floats pooled, depth 30: \(deep)")
        let activation = 2 * 8 * 8 * 8, columns = 8 * 9 * 2 * 64
        #expect(shallow <= 5 * activation + 2 * columns, "depth 5: \(shallow) floats pooled")
    }

    private func pooledFloatsAfterOneStep(depth: Int) throws -> Int {
        let layers = (0..<depth).flatMap { i -> [any Layer] in
            [Conv2D(filters: 8, kernel: 3, bias: false, name: "conv\(i)"), BatchNorm(name: "bn\(i)"), Activation(.relu, name: "relu\(i)")]
        }
        let network = try Network(root: Sequential(layers), inputShape: [8, 8, 8], inputGradient: true)
        network.arena.initialize(seed: 1)
        let context = Context(mode: .training)
        let x = Tensor(shape: [2, 8, 8, 8], values: (0..<1024).map { Float($0 % 7) - 3 })
        let y = try network.forward(x, context: context)
        try network.backward(Tensor(shape: y.shape, values: [Float](repeating: 0.01, count: y.count)), context: context)
        return context.buffers.capacity
    }
}
