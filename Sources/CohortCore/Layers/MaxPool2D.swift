/// Max pooling over k×k windows (overlapping when stride < k), with optional padding
/// (padded positions never win). x [N, C, H, W] → y [N, C, P, Q].
/// Forward caches the index of each window's maximum; planes are split across the rank's threads.
package final class MaxPool2D: Layer {
    package let name: String
    package let kernel: Int, stride: Int, padding: Padding
    private var geometry: PoolGeometry!
    private var inputShape: Shape = []
    private var argmax: [Int32] = []
    /// The input rows of each output row's windows, and the input columns of each output column's.
    private var rowWindows: [Range<Int>] = [], columnWindows: [Range<Int>] = []
    private var vectorBlocks = (first: 0, count: 0)
    private let output = Tensor(zeros: [0])

    package init(kernel: Int, stride: Int? = nil, padding: Padding = .valid, name: String) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
        self.name = name
    }

    package func build(input: Shape) throws -> Shape {
        geometry = try PoolGeometry(layer: name, input: input, kernel: kernel, stride: stride, padding: padding)
        inputShape = input
        rowWindows = (0..<geometry.outH).map { geometry.window(p: $0, q: 0).rows }
        columnWindows = (0..<geometry.outW).map { geometry.window(p: 0, q: $0).cols }
        vectorBlocks = Self.vectorBlocks(geometry)
        return geometry.outputShape
    }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: inputShape)
        let g = geometry!, planes = x.shape.batch * g.channels
        output.resize(to: g.outputShape.batched(x.shape.batch))
        if argmax.count < output.count { argmax = [Int32](repeating: 0, count: output.count) }
        let src = UnsafePointer(x.values.baseAddress!), dst = output.values.baseAddress!
        let inPlane = g.height * g.width, outPlane = g.outH * g.outW
        rowWindows.withUnsafeBufferPointer { rows in
            columnWindows.withUnsafeBufferPointer { columns in
                argmax.withUnsafeMutableBufferPointer { arg in
                    let indices = arg.baseAddress!
                    ThreadSplit.forEachRange(planes, threads: context.threads, minimumPerThread: 8) { range in
                        for plane in range {
                            self.pool(src + plane &* inPlane, rows: rows, columns: columns,
                                      into: dst + plane &* outPlane, indices: indices + plane &* outPlane)
                        }
                    }
                }
            }
        }
        return output
    }

    /// The maxima of one plane and their indices in it, a row of outputs at a time: eight outputs
    /// per vector where their windows lie inside the row (`vectorBlocks`), one at a time elsewhere.
    @inline(__always)
    private func pool(_ x: UnsafePointer<Float>, rows: UnsafeBufferPointer<Range<Int>>, columns: UnsafeBufferPointer<Range<Int>>,
                      into y: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>) {
        let width = geometry.width, outW = geometry.outW, blocks = vectorBlocks
        for (p, windowRows) in rows.enumerated() {
            let o = p &* outW
            for q in 0..<blocks.first {
                Self.poolOne(x, width: width, rows: windowRows, columns: columns[q], into: y + (o &+ q), index: indices + (o &+ q))
            }
            for block in 0..<blocks.count {
                let q = blocks.first &+ block &* 8
                switch stride {
                case 1: Self.poolEight(x, width: width, rows: windowRows, firstColumn: columns[q].lowerBound, kernel: kernel,
                                       stride: 1, into: y + (o &+ q), indices: indices + (o &+ q))
                default: Self.poolEight(x, width: width, rows: windowRows, firstColumn: columns[q].lowerBound, kernel: kernel,
                                        stride: 2, into: y + (o &+ q), indices: indices + (o &+ q))
                }
            }
            for q in (blocks.first &+ blocks.count &* 8)..<outW {
                Self.poolOne(x, width: width, rows: windowRows, columns: columns[q], into: y + (o &+ q), index: indices + (o &+ q))
            }
        }
    }

    /// One window's maximum; ties keep the first element in row-major order.
    @inline(__always)
    private static func poolOne(_ x: UnsafePointer<Float>, width: Int, rows: Range<Int>, columns: Range<Int>,
                                into y: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Int32>) {
        var bestIndex = rows.lowerBound &* width &+ columns.lowerBound
        var best = x[bestIndex]
        for h in rows {
            let base = h &* width
            for w in columns {
                let i = base &+ w, v = x[i], larger = v > best
                best = larger ? v : best
                bestIndex = larger ? i : bestIndex
            }
        }
        y.pointee = best
        index.pointee = Int32(truncatingIfNeeded: bestIndex)
    }

    /// Eight neighbouring windows (stride 1 or 2) whose columns start at `firstColumn`, all inside
    /// the row, as one vector each per window element; ties keep the first, as `poolOne`.
    @inline(__always)
    private static func poolEight(_ x: UnsafePointer<Float>, width: Int, rows: Range<Int>, firstColumn: Int, kernel: Int, stride: Int,
                                  into y: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>) {
        let laneColumns = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) &* SIMD8(repeating: Int32(stride)) &+ SIMD8(repeating: Int32(firstColumn))
        @inline(__always) func load(_ i: Int) -> SIMD8<Float> {
            stride == 1 ? Lanes.load(x + i) : UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self).evenHalf
        }
        let first = rows.lowerBound &* width &+ firstColumn
        var best = load(first), bestIndex = laneColumns &+ SIMD8(repeating: Int32(truncatingIfNeeded: rows.lowerBound &* width))
        for h in rows {
            for t in 0..<kernel {
                let offset = h &* width &+ t, v = load(offset &+ firstColumn), larger = v .> best
                best.replace(with: v, where: larger)
                bestIndex.replace(with: laneColumns &+ SIMD8(repeating: Int32(truncatingIfNeeded: offset)), where: larger)
            }
        }
        Lanes.store(best, to: y)
        UnsafeMutableRawPointer(indices).storeBytes(of: bestIndex, as: SIMD8<Int32>.self)
    }

    /// The output columns pooled eight at a time: `count` blocks from column `first` on. Only for
    /// stride 1 or 2, where eight windows' elements are eight consecutive floats (stride 2: the even
    /// ones of sixteen), and only where every load stays inside the input row.
    private static func vectorBlocks(_ g: PoolGeometry) -> (first: Int, count: Int) {
        guard g.stride == 1 || g.stride == 2 else { return (0, 0) }
        let first = (g.padLeft + g.stride - 1) / g.stride   // the first window starting inside the row
        let loadWidth = g.stride == 1 ? 8 : 16
        var count = 0
        while first + 8 * (count + 1) <= g.outW {
            let column = (first + 8 * count) * g.stride - g.padLeft   // the block's first window column
            guard column + g.kernel - 1 + loadWidth <= g.width else { break }
            count += 1
        }
        return (first, count)
    }

    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        let g = geometry!, planes = dy.shape.batch * g.channels
        let inputGradient = context.buffers.take(inputShape.batched(dy.shape.batch))
        let dyp = dy.values.baseAddress!, dxp = inputGradient.values.baseAddress!
        let outPlane = g.outH * g.outW, inPlane = g.height * g.width
        argmax.withUnsafeBufferPointer { arg in
            // Planes are disjoint in dx, so threads split them and each zeroes its own.
            ThreadSplit.forEachRange(planes, threads: context.threads, minimumPerThread: 8) { range in
                (dxp + range.lowerBound &* inPlane).update(repeating: 0, count: range.count &* inPlane)
                for plane in range {
                    for o in 0..<outPlane {
                        let i = plane &* outPlane &+ o
                        dxp[plane &* inPlane &+ Int(arg[i])] += dyp[i]
                    }
                }
            }
        }
        return inputGradient
    }
}
