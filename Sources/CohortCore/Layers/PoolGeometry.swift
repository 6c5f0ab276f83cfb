/// Shape resolution shared by the 2-D pooling layers.
struct PoolGeometry {
    let channels: Int, height: Int, width: Int
    let kernel: Int, stride: Int
    let padTop: Int, padLeft: Int
    let outH: Int, outW: Int

    init(layer: String, input: Shape, kernel: Int, stride: Int, padding: Padding) throws {
        guard input.rank == 3 else { throw CoreError.shapeMismatch(layer: layer, expected: "[C, H, W]", got: input) }
        let out = padding.resolve(height: input[1], width: input[2], kernelH: kernel, kernelW: kernel, strideH: stride, strideW: stride)
        guard out.outH > 0, out.outW > 0 else { throw CoreError.spatialTooSmall(layer: layer, input: input) }
        (channels, height, width) = (input[0], input[1], input[2])
        (self.kernel, self.stride) = (kernel, stride)
        (padTop, padLeft, outH, outW) = (out.padTop, out.padLeft, out.outH, out.outW)
    }

    var outputShape: Shape { [channels, outH, outW] }

    /// The input rows and columns covered by output (p, q), clipped to the image.
    @inline(__always)
    func window(p: Int, q: Int) -> (rows: Range<Int>, cols: Range<Int>) {
        let h0 = p &* stride &- padTop, w0 = q &* stride &- padLeft
        return (max(h0, 0)..<min(h0 &+ kernel, height), max(w0, 0)..<min(w0 &+ kernel, width))
    }
}
