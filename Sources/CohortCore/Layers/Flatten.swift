/// Flattens each sample: [N, C, H, W] → [N, C·H·W]. The output is a view of the input (no copy);
/// dX is a copy of dY in a pooled tensor (a view would not keep the pooled dY taken).
package final class Flatten: Layer {
    package let name: String
    private var shape: Shape = []
    private var output: Tensor?

    package init(name: String) { self.name = name }

    package func build(input: Shape) throws -> Shape { shape = input; return [input.count] }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: shape)
        return view(x.values, shape: [x.shape.batch, shape.count], cache: &output)
    }

    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        let inputGradient = context.buffers.take(shape.batched(dy.shape.batch))
        _ = inputGradient.values.update(fromContentsOf: dy.values)
        return inputGradient
    }

    /// Reuses the cached view object when it already points at the same storage and shape.
    private func view(_ storage: UnsafeMutableBufferPointer<Float>, shape: Shape, cache: inout Tensor?) -> Tensor {
        if let cached = cache, cached.storage.baseAddress == storage.baseAddress, cached.shape == Shape(shape.dims) { return cached }
        let tensor = Tensor(view: storage, shape: Shape(shape.dims))
        cache = tensor
        return tensor
    }
}
