/// The geometry of a 2-D sliding window (convolution or pooling) over one image plane.
package struct ConvGeometry: Sendable, Equatable {
    package var channels: Int, height: Int, width: Int
    package var kernelH: Int, kernelW: Int
    package var strideH: Int, strideW: Int
    /// Padding before the first row/column; padding after is implied by the output size.
    package var padTop: Int, padLeft: Int
    package var outH: Int, outW: Int

    /// Rows of the column matrix: C·R·S.
    package var columnRows: Int { channels * kernelH * kernelW }
    /// Columns of the column matrix per image: P·Q.
    package var outPlane: Int { outH * outW }
    package var inPlane: Int { height * width }
    /// A 1×1 window at stride 1 without padding: an image's column matrix is the image itself.
    package var columnsAreInput: Bool {
        kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0 && outH == height && outW == width
    }
}

/// How a sliding window pads its input.
package enum Padding: Sendable, Equatable, CustomStringConvertible {
    /// Output = ceil(input / stride); padding split as Keras/TensorFlow do (extra on bottom/right).
    case same
    /// No padding.
    case valid
    /// Symmetric explicit padding.
    case explicit(height: Int, width: Int)

    /// Output size and leading padding along one axis.
    package func resolve(input: Int, kernel: Int, stride: Int) -> (output: Int, padBefore: Int) {
        switch self {
        case .valid:
            return (Self.outputSize(padded: input, kernel: kernel, stride: stride), 0)
        case .same:
            let output = (input + stride - 1) / stride
            let total = max((output - 1) * stride + kernel - input, 0)
            return (output, total / 2)
        case let .explicit(h, _):
            return (Self.outputSize(padded: input + 2 * h, kernel: kernel, stride: stride), h)
        }
    }

    /// Windows of `kernel` at `stride` that fit in `padded` elements (0 when not even one fits;
    /// truncating division alone would round a negative remainder up to one window).
    static func outputSize(padded: Int, kernel: Int, stride: Int) -> Int {
        padded >= kernel ? (padded - kernel) / stride + 1 : 0
    }

    /// Output size and leading padding along both axes.
    package func resolve(height: Int, width: Int, kernelH: Int, kernelW: Int, strideH: Int, strideW: Int) -> (outH: Int, padTop: Int, outW: Int, padLeft: Int) {
        let vertical: (output: Int, padBefore: Int)
        let horizontal: (output: Int, padBefore: Int)
        if case let .explicit(h, w) = self {
            vertical = (Self.outputSize(padded: height + 2 * h, kernel: kernelH, stride: strideH), h)
            horizontal = (Self.outputSize(padded: width + 2 * w, kernel: kernelW, stride: strideW), w)
        } else {
            vertical = resolve(input: height, kernel: kernelH, stride: strideH)
            horizontal = resolve(input: width, kernel: kernelW, stride: strideW)
        }
        return (vertical.output, vertical.padBefore, horizontal.output, horizontal.padBefore)
    }

    package var description: String {
        switch self {
        case .same: return "same"
        case .valid: return "valid"
        case let .explicit(h, w): return "\(h)x\(w)"
        }
    }
}
