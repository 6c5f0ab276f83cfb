/// Max pooling over k×k windows (overlapping when stride < k), with optional padding
/// (padded positions never win). x [N, C, H, W] → y [N, C, P, Q].
/// Forward caches the index of each window's maximum; planes are split across the rank's threads.
///
/// A plane is pooled in two passes, as the window is separable: each input row's maxima over the
/// output columns' windows (`rowMaxima`, with the column that won), then each output's maximum
/// over its window's rows of those. That is 2(k−1) comparisons an output instead of k²−1, and
/// both passes run eight outputs a vector without a scalar edge in the vertical one.
package final class MaxPool2D: Layer {
    package let name: String
    package let kernel: Int, stride: Int, padding: Padding
    private var geometry: PoolGeometry!
    private var inputShape: Shape = []
    private var argmax: [Int32] = []
    /// The input rows of each output row's windows, and the input columns of each output column's.
    private var rowWindows: [Range<Int>] = [], columnWindows: [Range<Int>] = []
    /// The output columns the horizontal pass takes eight a vector: those whose windows lie inside
    /// the row, when the stride is 1 or 2 and there are at least eight of them; else none.
    private var vectorColumns = 0..<0
    /// Per part (one a thread): each input row's maxima over the output columns' windows, and the winning columns.
    private var rowMaxima: [Float] = [], rowWinners: [Int32] = []
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
        let interior = columnWindows.indices.filter { columnWindows[$0].count == kernel }
        vectorColumns = stride <= 2 && interior.count >= 8 ? interior.first!..<(interior.last! + 1) : 0..<0
        return geometry.outputShape
    }

    /// Scratch floats per thread: the row maxima of one plane, and a vector's overrun.
    private var scratchPerThread: Int { geometry.height * geometry.outW + 8 }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: inputShape)
        let g = geometry!, planes = x.shape.batch * g.channels
        output.resize(to: g.outputShape.batched(x.shape.batch))
        if argmax.count < output.count { argmax = [Int32](repeating: 0, count: output.count) }
        let threads = max(1, ThreadSplit.partCount(planes, threads: context.threads, minimumPerThread: 8))
        let parts = max(1, min(threads * ThreadSplit.partsPerThread, planes / 8))
        if rowMaxima.count < threads * scratchPerThread {
            rowMaxima = [Float](repeating: 0, count: threads * scratchPerThread)
            rowWinners = [Int32](repeating: 0, count: threads * scratchPerThread)
        }
        let src = UnsafePointer(x.values.baseAddress!), dst = output.values.baseAddress!
        let inPlane = g.height * g.width, outPlane = g.outH * g.outW, scratch = scratchPerThread
        rowWindows.withUnsafeBufferPointer { rows in
            columnWindows.withUnsafeBufferPointer { columns in
                argmax.withUnsafeMutableBufferPointer { arg in
                    rowMaxima.withUnsafeMutableBufferPointer { maxima in
                        rowWinners.withUnsafeMutableBufferPointer { winners in
                            let indices = arg.baseAddress!
                            ThreadSplit.forEachPart(planes, parts: parts, threads: threads) { _, range, thread in
                                let m = maxima.baseAddress! + thread &* scratch, c = winners.baseAddress! + thread &* scratch
                                for plane in range {
                                    self.maximaAlongRows(src + plane &* inPlane, columns: columns, into: m, winners: c)
                                    self.maximaDownColumns(m, winners: c, rows: rows, into: dst + plane &* outPlane,
                                                           indices: indices + plane &* outPlane)
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// For every input row of a plane, the maximum over each output column's window and the column
    /// it came from (the first of equals): `outW` values a row.
    @inline(__always)
    private func maximaAlongRows(_ x: UnsafePointer<Float>, columns: UnsafeBufferPointer<Range<Int>>,
                                 into maxima: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>) {
        let width = geometry.width, outW = geometry.outW
        let vectorColumns = vectorColumns
        for h in 0..<geometry.height {
            let row = x + h &* width, m = maxima + h &* outW, c = winners + h &* outW
            @inline(__always) func one(_ q: Int) {
                var best = row[columns[q].lowerBound], winner = columns[q].lowerBound
                for w in columns[q] {   // branch-free: which element wins is data, not control flow
                    let v = row[w], larger = v > best
                    best = larger ? v : best
                    winner = larger ? w : winner
                }
                m[q] = best
                c[q] = Int32(truncatingIfNeeded: winner)
            }
            for q in 0..<vectorColumns.lowerBound { one(q) }
            // Eight columns a vector; a last partial block overlaps the one before (same values).
            var q = vectorColumns.lowerBound
            while q < vectorColumns.upperBound {
                let first = min(q, vectorColumns.upperBound &- 8)
                switch stride {
                case 1: Self.eightAlongRow(row, firstColumn: columns[first].lowerBound, kernel: kernel, stride: 1, into: m + first, winners: c + first)
                default: Self.eightAlongRow(row, firstColumn: columns[first].lowerBound, kernel: kernel, stride: 2, into: m + first, winners: c + first)
                }
                q = first &+ 8
            }
            for q in vectorColumns.upperBound..<outW { one(q) }
        }
    }

    /// Eight neighbouring windows of one row (stride 1 or 2) starting at `firstColumn`, all inside
    /// the row; loads read only the windows' elements.
    @inline(__always)
    private static func eightAlongRow(_ row: UnsafePointer<Float>, firstColumn: Int, kernel: Int, stride: Int,
                                      into maxima: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>) {
        let laneColumns = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) &* SIMD8(repeating: Int32(stride)) &+ SIMD8(repeating: Int32(firstColumn))
        @inline(__always) func load(_ column: Int) -> SIMD8<Float> {
            stride == 2 ? Lanes.loadEveryOther(row + column) : Lanes.load(row + column)
        }
        var best = load(firstColumn), winner = laneColumns
        for t in 1..<kernel {
            let v = load(firstColumn &+ t), larger = v .> best
            best.replace(with: v, where: larger)
            winner.replace(with: laneColumns &+ SIMD8(repeating: Int32(t)), where: larger)
        }
        Lanes.store(best, to: maxima)
        UnsafeMutableRawPointer(winners).storeBytes(of: winner, as: SIMD8<Int32>.self)
    }

    /// Each output's maximum over its window's rows of the row maxima, and its index in the plane;
    /// the first of equals wins, so ties keep the first element in row-major order.
    @inline(__always)
    private func maximaDownColumns(_ maxima: UnsafePointer<Float>, winners: UnsafePointer<Int32>, rows: UnsafeBufferPointer<Range<Int>>,
                                   into y: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>) {
        let width = geometry.width, outW = geometry.outW
        @inline(__always) func loadWinners(_ i: Int) -> SIMD8<Int32> { UnsafeRawPointer(winners + i).loadUnaligned(as: SIMD8<Int32>.self) }
        for (p, window) in rows.enumerated() {
            let o = p &* outW
            var q = 0
            while q < outW {
                // The last block of a row of 8 or more overlaps the one before; a shorter row is one partial block.
                let first = outW >= 8 ? min(q, outW &- 8) : 0, lanes = outW >= 8 ? 8 : outW
                var best = Lanes.load(maxima + (window.lowerBound &* outW &+ first))
                var winner = loadWinners(window.lowerBound &* outW &+ first) &+ SIMD8(repeating: Int32(truncatingIfNeeded: window.lowerBound &* width))
                for h in (window.lowerBound &+ 1)..<window.upperBound {
                    let v = Lanes.load(maxima + (h &* outW &+ first)), larger = v .> best
                    best.replace(with: v, where: larger)
                    winner.replace(with: loadWinners(h &* outW &+ first) &+ SIMD8(repeating: Int32(truncatingIfNeeded: h &* width)), where: larger)
                }
                Lanes.store(best, to: y + (o &+ first), lanes: lanes)
                if lanes == 8 {
                    UnsafeMutableRawPointer(indices + (o &+ first)).storeBytes(of: winner, as: SIMD8<Int32>.self)
                } else {
                    for lane in 0..<lanes { indices[o &+ first &+ lane] = winner[lane] }
                }
                q = first &+ 8
            }
        }
    }

    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        let g = geometry!, planes = dy.shape.batch * g.channels
        let inputGradient = context.buffers.take(inputShape.batched(dy.shape.batch))
        let dyp = dy.values.baseAddress!, dxp = inputGradient.values.baseAddress!
        let outPlane = g.outH * g.outW, inPlane = g.height * g.width
        argmax.withUnsafeBufferPointer { arg in
            // Planes are disjoint in dx, so threads split them; each plane is zeroed right before
            // its scatter, which then finds it in cache.
            ThreadSplit.forEachRange(planes, threads: context.threads, minimumPerThread: 8) { range in
                for plane in range {
                    (dxp + plane &* inPlane).update(repeating: 0, count: inPlane)
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
