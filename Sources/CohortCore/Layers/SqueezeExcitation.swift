/// Squeeze-and-excitation (Hu et al. 2018): s = σ(W₂·ReLU(W₁·GAP(x) + b₁) + b₂), y = x ⊙ s per channel.
/// x [N, C, H, W] → same shape; the bottleneck has C / reduction units.
/// Children: the excitation network (`fc1`, `fc2` with their activations). Forward caches x and s.
package final class SqueezeExcitation: Layer {
    package let name: String
    package let reduction: Int
    private var excitation: Sequential!
    private var inputShape: Shape = []
    private var input: Tensor?
    private var scales: Tensor?
    private let output = Tensor(zeros: [0])
    private let scaleGradient = Tensor(zeros: [0])

    package init(reduction: Int = 16, name: String) {
        self.reduction = reduction
        self.name = name
    }

    package var children: [any Layer] { excitation.map { [$0] } ?? [] }

    package func build(input: Shape) throws -> Shape {
        guard input.rank == 3 else { throw CoreError.shapeMismatch(layer: name, expected: "[C, H, W]", got: input) }
        inputShape = input
        let c = input[0]
        excitation = Sequential([
            GlobalPool(.average, name: "squeeze"),
            Dense(units: max(1, c / reduction), name: "fc1"),
            Activation(.relu, name: "relu"),
            Dense(units: c, name: "fc2"),
            Activation(.sigmoid, name: "sigmoid"),
        ])
        _ = try build(child: excitation, input: input)
        return input
    }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: inputShape)
        input = x
        let s = try forward(child: excitation, x, context: context)
        scales = s
        output.resize(to: x.shape)
        let (channels, plane) = (inputShape[0], inputShape[1] * inputShape[2])
        let src = x.values.baseAddress!, dst = output.values.baseAddress!, sv = s.values
        for nc in 0..<(x.shape.batch * channels) {
            let scale = sv[nc]
            for t in 0..<plane { dst[nc &* plane &+ t] = src[nc &* plane &+ t] * scale }
        }
        return output
    }

    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        guard let x = input, let s = scales else { throw CoreError.invalidArgument("layer '\(name)': backward before forward") }
        let (channels, plane) = (inputShape[0], inputShape[1] * inputShape[2]), n = x.shape.batch
        scaleGradient.resize(to: [n, channels])
        let g = dy.values.baseAddress!, xp = x.values.baseAddress!, ds = scaleGradient.values
        for nc in 0..<(n * channels) {
            var sum: Float = 0
            for t in 0..<plane { sum += g[nc &* plane &+ t] * xp[nc &* plane &+ t] }
            ds[nc] = sum
        }
        // The excitation's gradient w.r.t. x (through the global pool), plus the direct path dy ⊙ s.
        let dxPooled = try backward(child: excitation, scaleGradient, context: context)
        let inputGradient = context.buffers.take(x.shape)
        let dx = inputGradient.values.baseAddress!, pooled = dxPooled.values, sv = s.values
        for nc in 0..<(n * channels) {
            let scale = sv[nc]
            for t in 0..<plane { dx[nc &* plane &+ t] = g[nc &* plane &+ t] * scale + pooled[nc &* plane &+ t] }
        }
        return inputGradient
    }
}
