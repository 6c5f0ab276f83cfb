@testable import CohortCore
import CohortTestSupport
import Testing
import CohortRandom

@Suite struct KernelTests {
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func gemmEqualsNaive(transposeA: Bool, transposeB: Bool) {
        let (m, n, k) = (5, 7, 4)
        var generator = SplitMix64(seed: 3)
        let a = (0..<(m * k)).map { _ in generator.nextFloat() - 0.5 }
        let b = (0..<(k * n)).map { _ in generator.nextFloat() - 0.5 }
        let c0 = (0..<(m * n)).map { _ in generator.nextFloat() - 0.5 }
        var fast = c0, slow = c0
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        Gemm.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.7, a: a, lda: lda, b: b, ldb: ldb, beta: 0.3, c: &fast, ldc: n)
        Gemm.naive(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.7, a: a, lda: lda, b: b, ldb: ldb, beta: 0.3, c: &slow, ldc: n)
        for i in 0..<(m * n) { #expect(abs(fast[i] - slow[i]) < 1e-5, "element \(i)") }
    }

    /// Lane sums agree with running Double sums to Double rounding at every length around the
    /// vector width, for values with a large common offset (where a float running sum loses digits).
    @Test(arguments: [0, 1, 7, 8, 9, 255, 3136, 50_000])
    func laneSumsMatchRunningDoubleSums(count: Int) {
        var generator = SplitMix64(seed: UInt64(count) + 1)
        let x = (0..<count).map { _ in 10 + generator.nextFloat() - 0.5 }, g = (0..<count).map { _ in generator.nextFloat() - 0.5 }
        let shift: Float = 10
        let sum = x.reduce(0.0) { $0 + Double($1) }, squares = x.reduce(0.0) { $0 + Double($1) * Double($1) }
        let gradientSum = g.reduce(0.0) { $0 + Double($1) }
        let dot = zip(g, x).reduce(0.0) { $0 + Double($1.0) * Double(($1.1 - shift) * 0.5) }
        let moments = LaneSums.sumAndSquares(x, count: count), normalized = LaneSums.sumAndNormalizedDot(g, x, shift: shift, scale: 0.5, count: count)
        let tolerance = 1e-12 * Double(max(count, 1))   // Double rounding only, relative to the sums' scale
        #expect(abs(moments.sum - sum) <= tolerance * 10)
        #expect(abs(moments.squares - squares) <= tolerance * 100)
        #expect(abs(LaneSums.sum(g, count: count) - gradientSum) <= tolerance)
        #expect(abs(normalized.sum - gradientSum) <= tolerance)
        #expect(abs(normalized.dot - dot) <= tolerance)
    }

    /// Strides 1, 2 and 3, padded and not; the 7×7 stride-2 stem shape (rows of 19, vectors of
    /// eight between padded edges) and a stride-2 row whose last vector ends at the row's end.
    static let geometries: [ConvGeometry] = [
        ConvGeometry(channels: 2, height: 5, width: 6, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padTop: 1, padLeft: 1, outH: 5, outW: 6),
        ConvGeometry(channels: 3, height: 7, width: 7, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padTop: 0, padLeft: 1, outH: 4, outW: 4),
        ConvGeometry(channels: 1, height: 9, width: 8, kernelH: 5, kernelW: 3, strideH: 2, strideW: 3, padTop: 2, padLeft: 0, outH: 5, outW: 2),
        ConvGeometry(channels: 2, height: 4, width: 4, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, outH: 4, outW: 4),
        ConvGeometry(channels: 2, height: 37, width: 37, kernelH: 7, kernelW: 7, strideH: 2, strideW: 2, padTop: 3, padLeft: 3, outH: 19, outW: 19),
        ConvGeometry(channels: 1, height: 8, width: 32, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padTop: 0, padLeft: 0, outH: 4, outW: 16),
    ]

    @Test(arguments: geometries)
    func im2colMatchesNaive(_ g: ConvGeometry) {
        var generator = SplitMix64(seed: 5)
        let image = (0..<(g.channels * g.inPlane)).map { _ in generator.nextFloat() }
        var fast = [Float](repeating: -1, count: g.columnRows * g.outPlane), slow = fast
        Im2Col.im2col(g, image: image, columns: &fast, ld: g.outPlane)
        Im2Col.naiveIm2col(g, image: image, columns: &slow, ld: g.outPlane)
        #expect(fast == slow)
    }

    /// ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for random x and c.
    @Test(arguments: geometries)
    func im2colAndCol2imAreAdjoint(_ g: ConvGeometry) {
        var generator = SplitMix64(seed: 9)
        let x = (0..<(g.channels * g.inPlane)).map { _ in generator.nextFloat() - 0.5 }
        let c = (0..<(g.columnRows * g.outPlane)).map { _ in generator.nextFloat() - 0.5 }
        var columns = [Float](repeating: 0, count: c.count)
        Im2Col.im2col(g, image: x, columns: &columns, ld: g.outPlane)
        var image = [Float](repeating: 0, count: x.count)
        Im2Col.col2im(g, columns: c, ld: g.outPlane, image: &image)
        let left = zip(columns, c).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let right = zip(x, image).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(left - right) < 1e-4)
    }

    /// Convolution through im2col + GEMM equals a direct 6-loop convolution: 3×3 at stride 2, and
    /// 1×1 on a 14×14 plane (each image multiplied where it lies) over 3 images, split over 2 threads.
    @Test(arguments: [(3, 2, 5), (1, 1, 14)])
    func convolutionMatchesDirectLoop(kernel: Int, stride: Int, size: Int) throws {
        let (channels, filters, batch) = (2, 3, 3), out = (size + stride - 1) / stride, pad = (kernel - 1) / 2
        let conv = Conv2D(filters: filters, kernel: kernel, stride: stride, padding: .same, name: "conv")
        let network = try Network(root: conv, inputShape: [channels, size, size])
        network.arena.initialize(seed: 1)
        var generator = SplitMix64(seed: 2)
        for i in 0..<conv.bias!.count { conv.bias!.value[i] = generator.nextFloat() }
        let x = Tensor(zeros: [batch, channels, size, size])
        for i in 0..<x.count { x[i] = generator.nextFloat() - 0.5 }
        let y = try network.forward(x, context: Context(mode: .inference, threads: 2))
        #expect(y.shape == [batch, filters, out, out])
        let w = conv.weight.value
        for n in 0..<batch { for k in 0..<filters { for p in 0..<out { for q in 0..<out {
            var sum = Double(conv.bias!.value[k])
            for c in 0..<channels { for r in 0..<kernel { for s in 0..<kernel {
                let h = p * stride - pad + r, v = q * stride - pad + s
                if h >= 0, h < size, v >= 0, v < size {
                    sum += Double(w[((k * channels + c) * kernel + r) * kernel + s]) * Double(x[((n * channels + c) * size + h) * size + v])
                }
            } } }
            #expect(abs(Double(y[((n * filters + k) * out + p) * out + q]) - sum) < 1e-5)
        } } } }
    }

    /// A leading convolution skips the input gradient in training networks; parameter gradients are unchanged.
    @Test func leadingConvolutionSkipsOnlyTheInputGradient() throws {
        func run(inputGradient: Bool) throws -> (dx: Tensor, gradients: [Float]) {
            let model = Sequential([Conv2D(filters: 3, kernel: 3, name: "c1"), Activation(.tanh, name: "t"), Conv2D(filters: 2, kernel: 3, name: "c2")])
            let network = try Network(root: model, inputShape: [2, 6, 6], inputGradient: inputGradient)
            network.arena.initialize(seed: 4)
            let x = Tensor(zeros: [2, 2, 6, 6])
            for i in 0..<x.count { x[i] = Float(i % 7) * 0.1 - 0.3 }
            let context = Context(mode: .training)
            let y = try network.forward(x, context: context)
            let dy = Tensor(zeros: y.shape)
            for i in 0..<dy.count { dy[i] = Float(i % 5) * 0.2 - 0.4 }
            network.arena.zeroGradients()
            let dx = try network.root.backward(dy, context: context)
            return (dx, Array(network.arena.gradients))
        }
        let full = try run(inputGradient: true), training = try run(inputGradient: false)
        #expect(full.dx.shape == [2, 2, 6, 6])
        #expect(training.dx.count == 0)
        #expect(training.gradients == full.gradients)
    }
}
