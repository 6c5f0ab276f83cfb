import CohortCore

/// The ONNX attributes of a sliding window (Conv, MaxPool, AveragePool) over a [C, H, W] input:
/// Cohort's padding made explicit, the trailing pads just large enough for the output size
/// (`same` pads the extra row and column at the bottom and right, as Keras does).
struct Window {
    let outH: Int, outW: Int
    let attributes: [Onnx_AttributeProto]

    init(layer: String, input: Shape, kernel: (height: Int, width: Int), stride: (height: Int, width: Int), padding: Padding) throws {
        guard input.rank == 3 else { throw ExportError.unsupported(layer: layer, reason: "a window over a \(input) input") }
        let (height, width) = (input[1], input[2])
        let out = padding.resolve(height: height, width: width, kernelH: kernel.height, kernelW: kernel.width,
                                  strideH: stride.height, strideW: stride.width)
        let padBottom = max(0, (out.outH - 1) * stride.height + kernel.height - height - out.padTop)
        let padRight = max(0, (out.outW - 1) * stride.width + kernel.width - width - out.padLeft)
        (outH, outW) = (out.outH, out.outW)
        attributes = [
            .ints("kernel_shape", [kernel.height, kernel.width]),
            .ints("strides", [stride.height, stride.width]),
            .ints("pads", [out.padTop, out.padLeft, padBottom, padRight]),
        ]
    }
}
