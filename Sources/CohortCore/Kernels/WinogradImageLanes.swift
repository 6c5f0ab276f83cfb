/// Winograd transforms for planes under eight tiles wide (outputs up to 14×14 with F(2×2), up to
/// 28×28 with F(4×4)). There a vector of eight tiles of one tile row would leave lanes idle
/// (a 7×7 plane has 4 or 2 tiles a row), so the eight lanes are instead eight images at the same
/// tile: each group of eight planes is interleaved into a frame whose element (row, column) holds
/// the eight images side by side, and a tile's elements are whole vectors.
///
/// In this mode the transformed layouts order a chunk's T = images × tiles columns tile-major,
/// column `tile · images + image`, so the eight images of a group are contiguous; the GEMMs do not
/// depend on the column order. A chunk may cover only some tile rows of its images (a range `rows`,
/// tile t counted from the range's first row): a small batch comes in too few groups of eight to
/// keep every thread busy to the end of a layer, so with several threads its parts are cut by tile
/// rows as well (`PartSplit`).
extension WinogradConvolution {
    /// Whether this convolution's vectors span images rather than a tile row.
    var lanesSpanImages: Bool { tilesW < 8 }

    /// Eight planes interleaved: element (row, column) of lane j sits at `(row · columns + column) · 8 + j`.
    struct InterleavedFrame {
        let rows: Int, columns: Int
        var count: Int { rows * columns * 8 }
        /// Floats from one row of the frame to the next.
        var rowStride: Int { columns * 8 }

        /// The start of the block of tile (th, tw), tiles m apart.
        @inline(__always) func tileStart(_ th: Int, _ tw: Int, m: Int) -> Int { (m &* th) &* rowStride &+ (m &* tw) &* 8 }

        /// Zeroes the rows `frameRows` of `frame` and copies into them what falls there of `lanes`
        /// height×width planes (the first at `planes`, the next `planeStride` apart) placed at (top, left).
        func load(_ planes: UnsafePointer<Float>, planeStride: Int, lanes: Int, height: Int, width: Int, top: Int, left: Int,
                  frameRows: Range<Int>, into frame: UnsafeMutablePointer<Float>) {
            (frame + frameRows.lowerBound * rowStride).update(repeating: 0, count: frameRows.count * rowStride)
            let first = max(0, frameRows.lowerBound - top), end = min(height, frameRows.upperBound - top)
            guard first < end else { return }
            let source = planes + first * width
            forEachElement(planeStride: planeStride, lanes: lanes, height: end - first, width: width, top: top + first, left: left) { planeIndex, frameIndex in
                frame[frameIndex] = source[planeIndex]
            }
        }

        /// Copies the height×width block at (0, 0) of every lane of `frame`, plus `offset` (then at
        /// least 0 when `rectify`), into its plane.
        func store(_ frame: UnsafePointer<Float>, planeStride: Int, lanes: Int, height: Int, width: Int, adding offset: Float, rectify: Bool,
                   into planes: UnsafeMutablePointer<Float>) {
            let floor: Float = rectify ? 0 : -.infinity
            forEachElement(planeStride: planeStride, lanes: lanes, height: height, width: width, top: 0, left: 0) { planeIndex, frameIndex in
                planes[planeIndex] = max(frame[frameIndex] + offset, floor)
            }
        }

        /// Adds the height×width block at (top, left) of every lane of `frame` to its plane.
        func accumulate(_ frame: UnsafePointer<Float>, planeStride: Int, lanes: Int, height: Int, width: Int, top: Int, left: Int,
                        into planes: UnsafeMutablePointer<Float>) {
            forEachElement(planeStride: planeStride, lanes: lanes, height: height, width: width, top: top, left: left) { planeIndex, frameIndex in
                planes[planeIndex] += frame[frameIndex]
            }
        }

        /// Calls `body(planeIndex, frameIndex)` for every element of the first `lanes` planes, where
        /// the block sits at (top, left) of the frame.
        @inline(__always)
        private func forEachElement(planeStride: Int, lanes: Int, height: Int, width: Int, top: Int, left: Int,
                                    _ body: (_ planeIndex: Int, _ frameIndex: Int) -> Void) {
            for lane in 0..<lanes {
                for h in 0..<height {
                    let planeRow = lane &* planeStride &+ h &* width, frameRow = (h &+ top) &* rowStride &+ left &* 8 &+ lane
                    for w in 0..<width { body(planeRow &+ w, frameRow &+ w &* 8) }
                }
            }
        }
    }

    /// Calls `body(group, lanes, frame, workspace)` for every group of up to eight consecutive
    /// images (group = the first) and every plane, plane-major, with one thread's buffers; on
    /// `threads` threads, each taking ranges of planes.
    private func forEachImageGroup<T: WinogradTiling>(_ tiling: T.Type, images: Int, planes: Int, frame: InterleavedFrame, threads: Int,
                                                      _ body: (_ plane: Int, _ group: Int, _ lanes: Int, _ padded: UnsafeMutablePointer<Float>,
                                                               _ d: UnsafeMutablePointer<Lanes.Vector>, _ tmp: UnsafeMutablePointer<Lanes.Vector>,
                                                               _ out: UnsafeMutablePointer<Lanes.Vector>) -> Void) {
        ThreadSplit.forEachRange(planes, threads: threads, minimumPerThread: 2) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: frame.count) { buffer in
                Lanes.withScratch(size: T.positions) { d, tmp, out in
                    for plane in range {
                        for group in stride(from: 0, to: images, by: 8) { body(plane, group, min(8, images - group), buffer.baseAddress!, d, tmp, out) }
                    }
                }
            }
        }
    }

    /// For every tile of the tile rows `rows`: its n×n block of `padded` (tiles m apart), transformed
    /// by F on both sides to α×α, stored to the tile's α² columns of a group (`columns` = the plane's
    /// first column for the group's first image).
    @inline(__always)
    private func framedBlocksToColumns<F: Lanes.Transform>(_ f: F.Type, n: Int, alpha: Int, m: Int, rows: Range<Int>, frame: InterleavedFrame,
                                                           padded: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>,
                                                           images: Int, planeStride: Int, lanes: Int, d: UnsafeMutablePointer<Lanes.Vector>,
                                                           tmp: UnsafeMutablePointer<Lanes.Vector>, out: UnsafeMutablePointer<Lanes.Vector>) {
        let rowStride = frame.rowStride
        for th in rows {
            for tw in 0..<tilesW {
                let start = padded + frame.tileStart(th, tw, m: m)
                for i in 0..<n {
                    for j in 0..<n { d[i * n + j] = Lanes.load(start + i * rowStride + j * 8) }
                }
                Lanes.twoSided(d, n: n, m: alpha, tmp: tmp, out: out, F.self)
                let column = columns + ((th - rows.lowerBound) * tilesW + tw) * images
                for xi in 0..<alpha * alpha { Lanes.store(out[xi], to: column + xi * planeStride, lanes: lanes) }
            }
        }
    }

    /// For every tile of the tile rows `rows`: its α² columns of a group, transformed by F on both sides to n×n, stored to
    /// (or, with `accumulate`, added to) its block of `padded`. The inverse walk of `framedBlocksToColumns`.
    @inline(__always)
    private func columnsToFramedBlocks<F: Lanes.Transform>(_ f: F.Type, n: Int, alpha: Int, m: Int, rows: Range<Int>, accumulate: Bool,
                                                           frame: InterleavedFrame,
                                                           columns: UnsafePointer<Float>, padded: UnsafeMutablePointer<Float>,
                                                           images: Int, planeStride: Int, lanes: Int, d: UnsafeMutablePointer<Lanes.Vector>,
                                                           tmp: UnsafeMutablePointer<Lanes.Vector>, out: UnsafeMutablePointer<Lanes.Vector>) {
        let rowStride = frame.rowStride
        for th in rows {
            for tw in 0..<tilesW {
                let column = columns + ((th - rows.lowerBound) * tilesW + tw) * images
                for xi in 0..<alpha * alpha { d[xi] = Lanes.load(column + xi * planeStride, lanes: lanes) }
                Lanes.twoSided(d, n: alpha, m: n, tmp: tmp, out: out, F.self)
                let start = padded + frame.tileStart(th, tw, m: m)
                for i in 0..<n {
                    for j in 0..<n {
                        if accumulate { Lanes.add(out[i * n + j], to: start + i * rowStride + j * 8) }
                        else { Lanes.store(out[i * n + j], to: start + i * rowStride + j * 8) }
                    }
                }
            }
        }
    }

    /// `transformInput` with vectors across images, for the tile rows `rows`.
    func transformInputAcrossImages<T: WinogradTiling>(_ tiling: T.Type, _ x: UnsafePointer<Float>, images: Int, rows: Range<Int>,
                                                       into v: UnsafeMutablePointer<Float>, threads: Int) {
        let g = geometry, c = g.channels, t = images * rows.count * tilesW, planeStride = Self.positionStride(c * t)
        let (m, alpha) = (T.outputTile, T.inputTile), frame = InterleavedFrame(rows: m * tilesH + T.kernelSize - 1, columns: m * tilesW + T.kernelSize - 1)
        let frameRows = m * rows.lowerBound..<m * rows.upperBound + T.kernelSize - 1
        forEachImageGroup(T.self, images: images, planes: c, frame: frame, threads: threads) { channel, group, lanes, padded, d, tmp, out in
            frame.load(x + (group * c + channel) * g.inPlane, planeStride: c * g.inPlane, lanes: lanes, height: g.height, width: g.width,
                       top: g.padTop, left: g.padLeft, frameRows: frameRows, into: padded)
            framedBlocksToColumns(T.InputTransform.self, n: alpha, alpha: alpha, m: m, rows: rows, frame: frame, padded: padded,
                                  columns: v + channel * t + group, images: images, planeStride: planeStride, lanes: lanes, d: d, tmp: tmp, out: out)
        }
    }

    /// `transformInputAdjoint` with vectors across images, for the tile rows `rows`. The input rows
    /// these tiles share with the next rows' tiles (the kernel's r − 1 rows of halo) go to `halo`
    /// when given, (r − 1)·W floats a plane from input row m·`rows.upperBound` − padTop on, so
    /// that parts of the same images never add to the same floats of dx.
    func transformInputAdjointAcrossImages<T: WinogradTiling>(_ tiling: T.Type, _ dv: UnsafePointer<Float>, images: Int, rows: Range<Int>,
                                                              into dx: UnsafeMutablePointer<Float>, halo: UnsafeMutablePointer<Float>?, threads: Int) {
        let g = geometry, c = g.channels, t = images * rows.count * tilesW, planeStride = Self.positionStride(c * t)
        let (m, alpha) = (T.outputTile, T.inputTile), frame = InterleavedFrame(rows: m * tilesH + T.kernelSize - 1, columns: m * tilesW + T.kernelSize - 1)
        let (top, haloStart) = (g.padTop, m * rows.upperBound), blocksEnd = haloStart + T.kernelSize - 1, haloPlane = haloRows * g.width
        forEachImageGroup(T.self, images: images, planes: c, frame: frame, threads: threads) { channel, group, lanes, padded, d, tmp, out in
            (padded + m * rows.lowerBound * frame.rowStride).update(repeating: 0, count: (blocksEnd - m * rows.lowerBound) * frame.rowStride)
            columnsToFramedBlocks(T.InputAdjoint.self, n: alpha, alpha: alpha, m: m, rows: rows, accumulate: true, frame: frame,
                                  columns: dv + channel * t + group, padded: padded, images: images, planeStride: planeStride, lanes: lanes,
                                  d: d, tmp: tmp, out: out)
            /// Adds frame rows `frameRows` to the planes at `planes` (`planeStride` apart), whose row 0 is input row `firstRow`.
            func add(frameRows: Range<Int>, to planes: UnsafeMutablePointer<Float>, planeStride: Int, firstRow: Int) {
                let first = max(0, frameRows.lowerBound - top), end = min(g.height, frameRows.upperBound - top)
                guard first < end else { return }
                frame.accumulate(padded, planeStride: planeStride, lanes: lanes, height: end - first, width: g.width, top: top + first,
                                 left: g.padLeft, into: planes + (first - firstRow) * g.width)
            }
            add(frameRows: m * rows.lowerBound..<(halo == nil ? blocksEnd : haloStart), to: dx + (group * c + channel) * g.inPlane,
                planeStride: c * g.inPlane, firstRow: 0)
            if let halo {
                add(frameRows: haloStart..<blocksEnd, to: halo + (group * c + channel) * haloPlane, planeStride: c * haloPlane,
                    firstRow: haloStart - top)
            }
        }
    }

    /// Input rows a tile row's blocks share with the next tile row's: the kernel's r − 1.
    var haloRows: Int { geometry.kernelH - 1 }

    /// `transformOutput` with vectors across images, for the tile rows `rows`.
    func transformOutputAcrossImages<T: WinogradTiling>(_ tiling: T.Type, _ mt: UnsafePointer<Float>, images: Int, rows: Range<Int>,
                                                        finish: OutputFinish, into y: UnsafeMutablePointer<Float>, threads: Int) {
        let g = geometry, k = filters, t = images * rows.count * tilesW, planeStride = Self.positionStride(k * t)
        let (m, alpha) = (T.outputTile, T.inputTile), frame = InterleavedFrame(rows: m * tilesH, columns: m * tilesW)
        let (first, end) = (m * rows.lowerBound, min(g.outH, m * rows.upperBound))
        forEachImageGroup(T.self, images: images, planes: k, frame: frame, threads: threads) { filter, group, lanes, padded, d, tmp, out in
            columnsToFramedBlocks(T.OutputTransform.self, n: m, alpha: alpha, m: m, rows: rows, accumulate: false, frame: frame,
                                  columns: mt + filter * t + group, padded: padded, images: images, planeStride: planeStride, lanes: lanes,
                                  d: d, tmp: tmp, out: out)
            frame.store(padded + first * frame.rowStride, planeStride: k * g.outPlane, lanes: lanes, height: end - first, width: g.outW,
                        adding: finish.offset(filter), rectify: finish.rectify, into: y + (group * k + filter) * g.outPlane + first * g.outW)
        }
    }

    /// `transformOutputAdjoint` with vectors across images, for the tile rows `rows`.
    func transformOutputAdjointAcrossImages<T: WinogradTiling>(_ tiling: T.Type, _ dy: UnsafePointer<Float>, images: Int, rows: Range<Int>,
                                                               into mt: UnsafeMutablePointer<Float>, threads: Int) {
        let g = geometry, k = filters, t = images * rows.count * tilesW, planeStride = Self.positionStride(k * t)
        let (m, alpha) = (T.outputTile, T.inputTile), frame = InterleavedFrame(rows: m * tilesH, columns: m * tilesW)
        forEachImageGroup(T.self, images: images, planes: k, frame: frame, threads: threads) { filter, group, lanes, padded, d, tmp, out in
            frame.load(dy + (group * k + filter) * g.outPlane, planeStride: k * g.outPlane, lanes: lanes, height: g.outH, width: g.outW,
                       top: 0, left: 0, frameRows: m * rows.lowerBound..<m * rows.upperBound, into: padded)
            framedBlocksToColumns(T.OutputAdjoint.self, n: m, alpha: alpha, m: m, rows: rows, frame: frame, padded: padded,
                                  columns: mt + filter * t + group, images: images, planeStride: planeStride, lanes: lanes, d: d, tmp: tmp, out: out)
        }
    }
}
