import CohortCore
import CohortRandom
import CohortTestSupport
import Testing

/// The separable, threaded max pooling against its naive twin: every window's maximum and the
/// element that receives its gradient, including ties (the first in row-major order wins), padded
/// windows clipped at the borders, rows wide enough for the eight-wide path (stride 1 and 2) and
/// its scalar edges, rows narrower than a vector (7 and 9 wide), and enough planes that the rank's
/// threads split them.
@Suite struct MaxPoolTests {
    @Test(arguments: [(2, 2, Padding.valid), (3, 2, .valid), (3, 2, .same), (3, 1, .same), (3, 2, .explicit(height: 1, width: 1)), (5, 3, .same)],
          [(11, 37), (7, 7), (5, 9)])
    func matchesNaivePooling(window: (kernel: Int, stride: Int, padding: Padding), plane: (height: Int, width: Int)) throws {
        let (kernel, stride, padding) = window
        let (batch, channels, height, width) = (4, 6, plane.height, plane.width)
        let layer = MaxPool2D(kernel: kernel, stride: stride, padding: padding, name: "pool")
        let network = try Network(root: layer, inputShape: [channels, height, width], inputGradient: true)
        var generator = SplitMix64(seed: 11)
        let x = Tensor(zeros: [batch, channels, height, width])
        for i in 0..<x.count { x[i] = Float(Int(generator.nextFloat() * 5)) }   // five levels: many ties
        let context = Context(mode: .training, threads: 2)
        let y = try network.forward(x, context: context)
        let dy = Tensor(zeros: y.shape)
        for i in 0..<dy.count { dy[i] = Float(i + 1) }
        let dx = try layer.backward(dy, context: context)

        let (outH, outW) = (y.shape[2], y.shape[3])
        let padTop = ((outH - 1) * stride + kernel - height) / 2, padLeft = ((outW - 1) * stride + kernel - width) / 2
        var expectedY = [Float](repeating: 0, count: y.count), expectedDX = [Float](repeating: 0, count: x.count)
        for plane in 0..<(batch * channels) {
            for p in 0..<outH {
                for q in 0..<outW {
                    var best = -Float.infinity, bestIndex = -1
                    for h in (p * stride - padTop)..<(p * stride - padTop + kernel) where h >= 0 && h < height {
                        for w in (q * stride - padLeft)..<(q * stride - padLeft + kernel) where w >= 0 && w < width {
                            let i = (plane * height + h) * width + w
                            if x[i] > best { best = x[i]; bestIndex = i }
                        }
                    }
                    let o = (plane * outH + p) * outW + q
                    expectedY[o] = best
                    expectedDX[bestIndex] += dy[o]
                }
            }
        }
        #expect(Array(y.values) == expectedY)
        #expect(Array(dx.values) == expectedDX)
    }
}
