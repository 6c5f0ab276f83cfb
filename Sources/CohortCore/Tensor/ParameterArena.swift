import CohortRandom
/// All parameters of a model in one place: one flat buffer of trainable values, one of their
/// gradients, and one of non-trainable buffers (BatchNorm running statistics).
///
/// Order: depth first through the layer tree, each layer's own parameters before its children's,
/// in the order the layer lists them. That order is the checkpoint order, the allreduce order and
/// the optimizer-state order, and it is identical on every rank.
package final class ParameterArena {
    /// Trainable parameters with dotted names, in arena order.
    package let trainable: [(name: String, parameter: Parameter)]
    /// Non-trainable buffers with dotted names, in arena order.
    package let buffers: [(name: String, parameter: Parameter)]
    package let values: UnsafeMutableBufferPointer<Float>
    package let gradients: UnsafeMutableBufferPointer<Float>
    package let bufferValues: UnsafeMutableBufferPointer<Float>

    /// Lays out every parameter of `root` and binds each one to a view into the arena (the only
    /// storage parameters ever have).
    package init(root: any Layer) {
        let all = root.namedParameters()
        trainable = all.filter { $0.parameter.isTrainable }
        buffers = all.filter { !$0.parameter.isTrainable }
        let trainableCount = trainable.reduce(0) { $0 + $1.parameter.count }
        let bufferCount = buffers.reduce(0) { $0 + $1.parameter.count }
        values = .allocate(capacity: max(trainableCount, 1))
        gradients = .allocate(capacity: max(trainableCount, 1))
        bufferValues = .allocate(capacity: max(bufferCount, 1))
        values.initialize(repeating: 0)
        gradients.initialize(repeating: 0)
        bufferValues.initialize(repeating: 0)

        var offset = 0
        for (_, p) in trainable {
            let range = offset..<(offset + p.count)
            p.value = Tensor(view: UnsafeMutableBufferPointer(rebasing: values[range]), shape: p.shape)
            p.gradient = Tensor(view: UnsafeMutableBufferPointer(rebasing: gradients[range]), shape: p.shape)
            p.offset = offset
            offset += p.count
        }
        offset = 0
        for (_, p) in buffers {
            p.value = Tensor(view: UnsafeMutableBufferPointer(rebasing: bufferValues[offset..<(offset + p.count)]), shape: p.shape)
            p.offset = offset
            offset += p.count
        }
    }

    deinit {
        values.deallocate()
        gradients.deallocate()
        bufferValues.deallocate()
    }

    /// Number of trainable scalars.
    package var trainableCount: Int { values.count == 1 && trainable.isEmpty ? 0 : values.count }
    /// Number of non-trainable scalars.
    package var bufferCount: Int { bufferValues.count == 1 && buffers.isEmpty ? 0 : bufferValues.count }

    /// Each trainable parameter's range in `values`/`gradients`, in arena order.
    package var segments: [Range<Int>] { trainable.map { $0.parameter.offset..<($0.parameter.offset + $0.parameter.count) } }

    /// Draws every parameter and buffer from its initializer, in arena order, from `seed`.
    package func initialize(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        for (_, p) in trainable + buffers { p.initializer.fill(p.value.values, using: &generator) }
    }

    /// Sets every gradient to zero (before a step's backward, which accumulates), on `threads` threads.
    package func zeroGradients(threads: Int = 1) {
        guard let base = gradients.baseAddress else { return }
        Elementwise.zero(base, count: gradients.count, threads: threads)
    }
}
