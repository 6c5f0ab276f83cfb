/// Winograd transforms for planes under eight tiles wide (outputs up to 14×14 with F(2×2), up to
/// 28×28 with F(4×4)). There a vector of eight tiles of one tile row would leave lanes idle
/// (a 7×7 plane has 4 or 2 tiles a row), so the eight lanes are instead eight images at the same
/// tile: each group of eight planes is interleaved into a frame whose element (row, column) holds
/// the eight images side by side, and a tile's elements are whole vectors.
///
/// In this mode the transformed layouts order a chunk's T = images × tiles columns tile-major,
/// column `tile · images + image`, so the eight images of a group are contiguous; the GEMMs do not
/// depend on the column order.
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

        /// Zeroes `frame` and copies `lanes` height×width planes (the first at `planes`, the next
        /// `planeStride` apart) into it at (top, left).
        func load(_ planes: UnsafePointer<Float>, planeStride: Int, lanes: Int, height: Int, width: Int, top: Int, left: Int,
                  into frame: UnsafeMutablePointer<Float>) {
            frame.update(repeating: 0, count: count)
            forEachElement(planeStride: planeStride, lanes: lanes, height: height, width: width, top: top, left: left) { planeIndex, frameIndex in
                frame[frameIndex] = planes[planeIndex]
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
    /// images (group = the first) and every plane, plane-major, with one thread's buffers.
    private func forEachImageGroup<T: WinogradTiling>(_ tiling: T.Type, images: Int, planes: Int, frame: InterleavedFrame,
                                                      _ body: (_ plane: Int, _ group: Int, _ lanes: Int, _ padded: UnsafeMutablePointer<Float>,
                                                               _ d: UnsafeMutablePointer<Lanes.Vector>, _ tmp: UnsafeMutablePointer<Lanes.Vector>,
                                                               _ out: UnsafeMutablePointer<Lanes.Vector>) -> Void) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: frame.count) { buffer in
            Lanes.withScratch(size: T.positions) { d, tmp, out in
                for plane in 0..<planes {
                    for group in stride(from: 0, to: images, by: 8) { body(plane, group, min(8, images - group), buffer.baseAddress!, d, tmp, out) }
                }
            }
        }
    }

    /// For every tile: its n×n block of `padded` (tiles m apart), transformed by F on both sides
    /// to α×α, stored to the tile's α² columns of a group (`columns` = the plane's first column for
    /// the group's first image).
    @inline(__always)
    private func framedBlocksToColumns<F: Lanes.Transform>(_ f: F.Type, n: Int, alpha: Int, m: Int, frame: InterleavedFrame,
                                                           padded: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>,
                                                           images: Int, planeStride: Int, lanes: Int, d: UnsafeMutablePointer<Lanes.Vector>,
                                                           tmp: UnsafeMutablePointer<Lanes.Vector>, out: UnsafeMutablePointer<Lanes.Vector>) {
        let rowStride = frame.rowStride
        for th in 0..<tilesH {
            for tw in 0..<tilesW {
                let start = padded + frame.tileStart(th, tw, m: m)
                for i in 0..<n {
                    for j in 0..<n { d[i * n + j] = Lanes.load(start + i * rowStride + j * 8) }
                }
                Lanes.twoSided(d, n: n, m: alpha, tmp: tmp, out: out, F.self)
                let column = columns + (th * tilesW + tw) * images
                for xi in 0..<alpha * alpha { Lanes.store(out[xi], to: column + xi * planeStride, lanes: lanes) }
            }
        }
    }

    /// For every tile: its α² columns of a group, transformed by F on both sides to n×n, stored to
    /// (or, with `accumulate`, added to) its block of `padded`. The inverse walk of `framedBlocksToColumns`.
    @inline(__always)
    private func columnsToFramedBlocks<F: Lanes.Transform>(_ f: F.Type, n: Int, alpha: Int, m: Int, accumulate: Bool, frame: InterleavedFrame,
                                                           columns: UnsafePointer<Float>, padded: UnsafeMutablePointer<Float>,
                                                           images: Int, planeStride: Int, lanes: Int, d: UnsafeMutablePointer<Lanes.Vector>,
                                                           tmp: UnsafeMutablePointer<Lanes.Vector>, out: UnsafeMutablePointer<Lanes.Vector>) {
        let rowStride = frame.rowStride
        for th in 0..<tilesH {
            for tw in 0..<tilesW {
                let column = columns + (th * tilesW + tw) * images
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

    /// `transformInput` with vectors across images.
    func transformInputAcrossImages<T: WinogradTiling>(_ tiling: T.Type, _ x: UnsafePointer<Float>, images: Int,
                                                       into v: UnsafeMutablePointer<Float>) {
        let g = geometry, c = g.channels, t = images * tilesPerImage, planeStride = Self.positionStride(c * t)
        let (m, alpha) = (T.outputTile, T.inputTile), frame = InterleavedFrame(rows: m * tilesH + T.kernelSize - 1, columns: m * tilesW + T.kernelSize - 1)
        forEachImageGroup(T.self, images: images, planes: c, frame: frame) { channel, group, lanes, padded, d, tmp, out in
            frame.load(x + (group * c + channel) * g.inPlane, planeStride: c * g.inPlane, lanes: lanes, height: g.height, width: g.width,
                       top: g.padTop, left: g.padLeft, into: padded)
            framedBlocksToColumns(T.InputTransform.self, n: alpha, alpha: alpha, m: m, frame: frame, padded: padded,
                                  columns: v + channel * t + group, images: images, planeStride: planeStride, lanes: lanes, d: d, tmp: tmp, out: out)
        }
    }

    /// `transformInputAdjoint` with vectors across images.
    func transformInputAdjointAcrossImages<T: WinogradTiling>(_ tiling: T.Type, _ dv: UnsafePointer<Float>, images: Int,
                                                              into dx: UnsafeMutablePointer<Float>) {
        let g = geometry, c = g.channels, t = images * tilesPerImage, planeStride = Self.positionStride(c * t)
        let (m, alpha) = (T.outputTile, T.inputTile), frame = InterleavedFrame(rows: m * tilesH + T.kernelSize - 1, columns: m * tilesW + T.kernelSize - 1)
        forEachImageGroup(T.self, images: images, planes: c, frame: frame) { channel, group, lanes, padded, d, tmp, out in
            padded.update(repeating: 0, count: frame.count)
            columnsToFramedBlocks(T.InputAdjoint.self, n: alpha, alpha: alpha, m: m, accumulate: true, frame: frame,
                                  columns: dv + channel * t + group, padded: padded, images: images, planeStride: planeStride, lanes: lanes,
                                  d: d, tmp: tmp, out: out)
            frame.accumulate(padded, planeStride: c * g.inPlane, lanes: lanes, height: g.height, width: g.width, top: g.padTop,
                             left: g.padLeft, into: dx + (group * c + channel) * g.inPlane)
        }
    }

    /// `transformOutput` with vectors across images.
    func transformOutputAcrossImages<T: WinogradTiling>(_ tiling: T.Type, _ mt: UnsafePointer<Float>, images: Int, finish: OutputFinish,
                                                        into y: UnsafeMutablePointer<Float>) {
        let g = geometry, k = filters, t = images * tilesPerImage, planeStride = Self.positionStride(k * t)
        let (m, alpha) = (T.outputTile, T.inputTile), frame = InterleavedFrame(rows: m * tilesH, columns: m * tilesW)
        forEachImageGroup(T.self, images: images, planes: k, frame: frame) { filter, group, lanes, padded, d, tmp, out in
            columnsToFramedBlocks(T.OutputTransform.self, n: m, alpha: alpha, m: m, accumulate: false, frame: frame,
                                  columns: mt + filter * t + group, padded: padded, images: images, planeStride: planeStride, lanes: lanes,
                                  d: d, tmp: tmp, out: out)
            frame.store(padded, planeStride: k * g.outPlane, lanes: lanes, height: g.outH, width: g.outW, adding: finish.offset(filter),
                        rectify: finish.rectify, into: y + (group * k + filter) * g.outPlane)
        }
    }

    /// `transformOutputAdjoint` with vectors across images.
    func transformOutputAdjointAcrossImages<T: WinogradTiling>(_ tiling: T.Type, _ dy: UnsafePointer<Float>, images: Int,
                                                               into mt: UnsafeMutablePointer<Float>) {
        let g = geometry, k = filters, t = images * tilesPerImage, planeStride = Self.positionStride(k * t)
        let (m, alpha) = (T.outputTile, T.inputTile), frame = InterleavedFrame(rows: m * tilesH, columns: m * tilesW)
        forEachImageGroup(T.self, images: images, planes: k, frame: frame) { filter, group, lanes, padded, d, tmp, out in
            frame.load(dy + (group * k + filter) * g.outPlane, planeStride: k * g.outPlane, lanes: lanes, height: g.outH, width: g.outW,
                       top: 0, left: 0, into: padded)
            framedBlocksToColumns(T.OutputAdjoint.self, n: m, alpha: alpha, m: m, frame: frame, padded: padded,
                                  columns: mt + filter * t + group, images: images, planeStride: planeStride, lanes: lanes, d: d, tmp: tmp, out: out)
        }
    }
}
