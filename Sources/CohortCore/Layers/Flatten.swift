/// Flattens each sample: [N, C, H, W] → [N, C·H·W]. The output is a view of the input (no copy),
/// and dX is a view of dY.
public final class Flatten: Layer {
    public let name: String
    private var shape: Shape = []
    private var output: Tensor?
    private var inputGradient: Tensor?

    public init(name: String) { self.name = name }

    public func build(input: Shape) throws -> Shape { shape = input; return [input.count] }

    public func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: shape)
        return view(x.values, shape: [x.shape.batch, shape.count], cache: &output)
    }

    public func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        view(dy.values, shape: shape.batched(dy.shape.batch), cache: &inputGradient)
    }

    /// Reuses the cached view object when it already points at the same storage and shape.
    private func view(_ storage: UnsafeMutableBufferPointer<Float>, shape: Shape, cache: inout Tensor?) -> Tensor {
        if let cached = cache, cached.storage.baseAddress == storage.baseAddress, cached.shape == Shape(shape.dims) { return cached }
        let tensor = Tensor(view: storage, shape: Shape(shape.dims))
        cache = tensor
        return tensor
    }
}
