/// Winograd convolution F(m×m, r×r) (Lavin & Gray, "Fast Algorithms for Convolutional Neural
/// Networks", 2016) for 3×3 and 5×5 stride-1 ungrouped layers: α² multiplications per m×m output
/// tile (α = m + r − 1) instead of r²m², so the three GEMMs of a training step do 2.25× (F(2×2, 3×3)),
/// 4× (F(4×4, 3×3)) or 2.8× (F(2×2, 5×5)) less work than im2col's. The tilings and their matrices:
/// `WinogradTransforms.swift`.
///
/// Each α×α input tile d (tiles start every m pixels) and each r×r filter w are transformed,
/// V = Bᵀ d B and U = G w Gᵀ; for every one of the α² positions ξ, M[ξ] = U[ξ] · V[ξ] is a GEMM
/// ([K, C] · [C, tiles]); the output tile is y = Aᵀ M A. Backward is the exact adjoint of that
/// forward: M̃ = A dy Aᵀ, dU[ξ] = M̃[ξ] · V[ξ]ᵀ, dV[ξ] = U[ξ]ᵀ · M̃[ξ], dw = Gᵀ dU G and
/// dx = Σ B dV Bᵀ over the overlapping tiles. Layouts: V [α², C, T], M [α², K, T], U [α², K, C],
/// with T = images × tiles per image. Images are processed in chunks that bound the workspaces.
/// With several threads, each runs the whole pipeline on whole chunks of images (or, for a small
/// batch of small planes, on some tile rows of them: `PartSplit`), claimed as it frees up, with its
/// own V and M, sharing only U: one fork per call. In backward each chunk adds its dU into one of two slots a thread in
/// chunk order (`ThreadSplit.forEachSlotChunk`), summed at the end, so dw does not depend on which
/// thread ran which chunk. Planes of at most four tiles split by position ξ instead
/// (`WinogradPositionSplit.swift`).
/// U, dU, V and M are taken from the caller's `TensorPool` for the length of one call and shared
/// with every other layer (backward transforms the weights again rather than keeping U per layer:
/// ResNet-50 would hold about 150 MB of U and dU; the extra weight transform is small next to the GEMMs).
package final class WinogradConvolution {
    /// The tiling: F(2×2, 3×3), F(4×4, 3×3) or F(2×2, 5×5).
    package enum Tile: Sendable, CaseIterable {
        case f2x2, f4x4, f2x2Kernel5
        /// The output tile's side m.
        var outputTile: Int { self == .f4x4 ? 4 : 2 }
        /// The kernel's side r.
        var kernelSize: Int { self == .f2x2Kernel5 ? 5 : 3 }
        /// α², the multiplications per tile and per (filter, channel) pair.
        var positions: Int { (outputTile + kernelSize - 1) * (outputTile + kernelSize - 1) }
    }

    /// The convolution's geometry (3×3 or 5×5, stride 1; `channels` = C).
    package let geometry: ConvGeometry
    package let filters: Int
    package let tile: Tile
    let tilesH: Int, tilesW: Int

    /// Whether this algorithm computes a convolution of `geometry` with `groups` groups.
    package static func applies(to geometry: ConvGeometry, groups: Int) -> Bool {
        groups == 1 && geometry.kernelH == geometry.kernelW && Tile.allCases.contains { $0.kernelSize == geometry.kernelH }
            && geometry.strideH == 1 && geometry.strideW == 1
    }

    /// Multiplications per (filter, channel) pair and image: α² for each of the tiles covering P×Q.
    package static func multiplications(_ tile: Tile, geometry: ConvGeometry) -> Int {
        let m = tile.outputTile
        return (geometry.outH + m - 1) / m * ((geometry.outW + m - 1) / m) * tile.positions
    }

    /// Of `tiles`, the one for `geometry`'s kernel with the fewest multiplications (the smaller tile
    /// on a tie), or nil when there is none or direct convolution's r²·P·Q is fewer still (a 1×1 output).
    package static func cheapestTile(for geometry: ConvGeometry, among tiles: [Tile] = Tile.allCases) -> Tile? {
        let fitting = tiles.filter { $0.kernelSize == geometry.kernelH }
        guard let best = fitting.min(by: { multiplications($0, geometry: geometry) < multiplications($1, geometry: geometry) }) else { return nil }
        return multiplications(best, geometry: geometry) < geometry.kernelH * geometry.kernelW * geometry.outPlane ? best : nil
    }

    package init(geometry: ConvGeometry, filters: Int, tile: Tile) {
        precondition(Self.applies(to: geometry, groups: 1) && tile.kernelSize == geometry.kernelH,
                     "Winograd \(tile) needs a \(tile.kernelSize)x\(tile.kernelSize) stride-1 convolution")
        self.geometry = geometry
        self.filters = filters
        self.tile = tile
        tilesH = (geometry.outH + tile.outputTile - 1) / tile.outputTile
        tilesW = (geometry.outW + tile.outputTile - 1) / tile.outputTile
    }

    var tilesPerImage: Int { tilesH * tilesW }

    /// At most this many floats in each of a chunk's V and M (unless one image needs more).
    static let workspaceFloats = 1 << 21
    /// The tiles a chunk's GEMMs should have at least: OpenBLAS packs the [K, C] transformed weights
    /// for every product, which narrow products (a 7×7 plane has 4 tiles an image) do not repay.
    static let gemmColumns = 128

    /// Floats from one position ξ's matrix to the next in V and M, for matrices of `count` floats:
    /// whole cache lines, an odd number of them. A transform reads or writes a tile group's α²
    /// vectors, one in each matrix; matrices a multiple of 4 KiB apart (C·T = 64·128, say) put
    /// all α² in one set of the 8-way L1 cache, evicting each other before the next group uses
    /// the same lines. On one AVX-512 Zen 4 thread resnet18-cifar's 3×3 layers ran 3–29% faster
    /// (its 32×32 layers most), all its convolutions 8%. U and dU keep K·C: the same spacing
    /// made its 4×4 layers (U of 36 MB) 7–9% slower.
    static func positionStride(_ count: Int) -> Int { ((count + 15) / 16 | 1) * 16 }

    /// Images per chunk: enough for `gemmColumns` tiles, in whole groups of eight where vectors span
    /// images (a partial group leaves lanes idle in every transform), within `workspaceFloats`.
    /// Against chunks bounded only by 512K floats, whole runs of fashion-cnn, googlenet, resnet18-cifar
    /// and resnet50 took 4–7% less CPU time on one AVX-512 Zen 4 thread (docs/results/bench-2026-12-07c-avx512).
    /// A bound of 8M floats alone had been slower: V and M then went to memory between transforms and GEMMs.
    func chunkSize(batch: Int) -> Int {
        let bound = max(1, Self.workspaceFloats / (tile.positions * max(geometry.channels, filters) * tilesPerImage))
        var chunk = (Self.gemmColumns + tilesPerImage - 1) / tilesPerImage
        if lanesSpanImages { chunk = (chunk + 7) / 8 * 8 }
        if chunk > bound { chunk = lanesSpanImages && bound >= 8 ? bound / 8 * 8 : bound }
        return min(batch, chunk)
    }

    /// y = x ⋆ w (+ bias[k] on filter k's plane, when given; then max(·, 0) when `rectify`) for `batch`
    /// images on `threads` threads; x [N, C, H, W], w [K, C, 3, 3], bias [K], y [N, K, P, Q].
    package func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, rectify: Bool,
                         batch: Int, y: UnsafeMutablePointer<Float>, buffers: TensorPool, threads: Int = 1) {
        let finish = OutputFinish(bias: bias, rectify: rectify)
        switch tile {
        case .f2x2: forward(F2x2.self, x: x, weight: weight, finish: finish, batch: batch, y: y, buffers: buffers, threads: threads)
        case .f4x4: forward(F4x4.self, x: x, weight: weight, finish: finish, batch: batch, y: y, buffers: buffers, threads: threads)
        case .f2x2Kernel5: forward(F2x2Kernel5.self, x: x, weight: weight, finish: finish, batch: batch, y: y, buffers: buffers, threads: threads)
        }
    }

    /// What the output transform adds to each filter's plane, and whether it then rectifies.
    struct OutputFinish {
        let bias: UnsafePointer<Float>?, rectify: Bool
        func offset(_ filter: Int) -> Float { bias?[filter] ?? 0 }
    }

    /// Adds the weight gradient for input x, weights w and output gradient dy to `weightGradient`
    /// [K, C, 3, 3] and, when `inputGradient` is given, adds the input gradient to it [N, C, H, W].
    package func backward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, batch: Int,
                         weightGradient: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?, buffers: TensorPool,
                         threads: Int = 1) {
        switch tile {
        case .f2x2: backward(F2x2.self, x: x, weight: weight, outputGradient: dy, batch: batch, weightGradient: weightGradient,
                             inputGradient: inputGradient, buffers: buffers, threads: threads)
        case .f4x4: backward(F4x4.self, x: x, weight: weight, outputGradient: dy, batch: batch, weightGradient: weightGradient,
                             inputGradient: inputGradient, buffers: buffers, threads: threads)
        case .f2x2Kernel5: backward(F2x2Kernel5.self, x: x, weight: weight, outputGradient: dy, batch: batch, weightGradient: weightGradient,
                                    inputGradient: inputGradient, buffers: buffers, threads: threads)
        }
    }

    private func forward<T: WinogradTiling>(_ tiling: T.Type, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, finish: OutputFinish,
                                            batch: Int, y: UnsafeMutablePointer<Float>, buffers: TensorPool, threads: Int) {
        if splitsPositions(threads: threads) {
            return forwardByPositions(T.self, x: x, weight: weight, finish: finish, batch: batch, y: y, buffers: buffers, threads: threads)
        }
        let (c, k) = (geometry.channels, filters), used = max(1, min(threads, batch))
        let transformedWeights = buffers.take([T.positions * k * c])
        let workspaces = workspaces(chunk: chunkSize(batch: (batch + used - 1) / used), copies: used, buffers: buffers)
        defer { withExtendedLifetime((transformedWeights, workspaces)) {} }
        let u = UnsafePointer(transformedWeights.values.baseAddress!)
        transformWeights(T.self, weight, into: transformedWeights.values.baseAddress!, threads: threads)
        // Parts of at most a chunk, in whole groups of eight images where vectors span images, and
        // cut by tile rows when those are too few; each output tile depends only on its own input
        // tile, so not on the split.
        let split = PartSplit(self, batch: batch, threads: used)
        // Within a piece, its transforms and products are shared with threads that ran out of pieces.
        ThreadSplit.forEachBatchPart(split.cut) { piece, thread in
            let (v, m) = workspaces.copy(thread), images = split.images(piece), rows = split.tileRows(piece)
            var first = images.lowerBound
            while first < images.upperBound {
                let count = min(workspaces.chunk, images.upperBound - first), t = count * rows.count * tilesW
                let (vs, ms) = (Self.positionStride(c * t), Self.positionStride(k * t))
                transformInput(T.self, x + first * c * geometry.inPlane, images: count, rows: rows, into: v, threads: used)
                Self.forEachPosition(T.self, threads: used) { xi in
                    Gemm.multiply(transposeA: false, transposeB: false, m: k, n: t, k: c, a: u + xi * k * c, lda: c,
                                  b: v + xi * vs, ldb: t, beta: 0, c: m + xi * ms, ldc: t)
                }
                transformOutput(T.self, m, images: count, rows: rows, finish: finish, into: y + first * k * geometry.outPlane, threads: used)
                first += count
            }
        }
    }

    private func backward<T: WinogradTiling>(_ tiling: T.Type, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                             outputGradient dy: UnsafePointer<Float>, batch: Int, weightGradient: UnsafeMutablePointer<Float>,
                                             inputGradient: UnsafeMutablePointer<Float>?, buffers: TensorPool, threads: Int) {
        guard batch > 0 else { return }
        if splitsPositions(threads: threads) {
            return backwardByPositions(T.self, x: x, weight: weight, outputGradient: dy, batch: batch, weightGradient: weightGradient,
                                       inputGradient: inputGradient, buffers: buffers, threads: threads)
        }
        let (c, k) = (geometry.channels, filters), used = max(1, min(threads, batch)), duCount = T.positions * k * c
        let workspaces = workspaces(chunk: chunkSize(batch: (batch + used - 1) / used), copies: used, buffers: buffers)
        let split = PartSplit(self, batch: batch, threads: used)
        let slots = ThreadSplit.accumulatorSlots(split.cut)
        let transformedWeights = buffers.take([duCount])
        let transformedWeightGradients = buffers.take([slots * duCount + 8])   // one dU per slot; read eight floats wide
        // dx rows that two tile-row pieces of the same images share: one halo per boundary, added after.
        let haloPlane = haloRows * geometry.width, boundaries = inputGradient == nil ? 0 : split.boundaries
        let halos = buffers.take([boundaries * batch * c * haloPlane])
        defer { withExtendedLifetime((transformedWeights, transformedWeightGradients, workspaces, halos)) {} }
        let u = UnsafePointer(transformedWeights.values.baseAddress!)
        transformWeights(T.self, weight, into: transformedWeights.values.baseAddress!, threads: threads)
        let du = transformedWeightGradients.values.baseAddress!
        (du + slots * duCount).update(repeating: 0, count: 8)
        // Chunks of at most a workspace (and some tile rows) go to whichever thread is free; each adds
        // its dU into its slot's in chunk order. Each image's dx depends only on its own tiles. Within
        // a chunk, its transforms and products are shared with threads that ran out of chunks.
        ThreadSplit.forEachSlotChunk(split.cut) { chunk, inTurn in
            let images = split.images(chunk.piece), rows = split.tileRows(chunk.piece)
            let (v, m) = workspaces.copy(chunk.thread), first = images.lowerBound, count = images.count, t = count * rows.count * tilesW
            let (vs, ms) = (Self.positionStride(c * t), Self.positionStride(k * t))
            transformInput(T.self, x + first * c * geometry.inPlane, images: count, rows: rows, into: v, threads: used)
            transformOutputAdjoint(T.self, dy + first * k * geometry.outPlane, images: count, rows: rows, into: m, threads: used)
            inTurn {
                Self.forEachPosition(T.self, threads: used) { xi in
                    Gemm.multiply(transposeA: false, transposeB: true, m: k, n: c, k: t, a: m + xi * ms, lda: t, b: v + xi * vs, ldb: t,
                                  beta: chunk.startsSlot ? 0 : 1, c: du + chunk.slot * duCount + xi * k * c, ldc: c)
                }
            }
            if let dx = inputGradient {
                Self.forEachPosition(T.self, threads: used) { xi in   // dV overwrites V, which is no longer needed
                    Gemm.multiply(transposeA: true, transposeB: false, m: c, n: t, k: k, a: u + xi * k * c, lda: c,
                                  b: m + xi * ms, ldb: t, beta: 0, c: v + xi * vs, ldc: t)
                }
                let halo = boundaries == 0 ? nil : split.boundary(chunk.piece).map { halos.values.baseAddress! + ($0 * batch + first) * c * haloPlane }
                halo?.update(repeating: 0, count: count * c * haloPlane)
                transformInputAdjoint(T.self, v, images: count, rows: rows, into: dx + first * c * geometry.inPlane, halo: halo, threads: used)
            }
        }
        if let dx = inputGradient, boundaries > 0 {
            addHalos(UnsafePointer(halos.values.baseAddress!), split: split, batch: batch, into: dx, threads: threads)
        }
        PartialSums.addParts(du, parts: slots, count: duCount, threads: threads)
        transformWeightGradient(T.self, du, into: weightGradient, threads: threads)
    }

    /// Calls `body(ξ)` for every position ξ on `threads` threads: inside a piece of a region, shared
    /// with the region's threads that have no piece left (`ThreadTeam.share`).
    static func forEachPosition<T: WinogradTiling>(_ tiling: T.Type, threads: Int, _ body: (_ position: Int) -> Void) {
        ThreadSplit.forEachPart(T.positions, parts: T.positions, threads: threads) { xi, _, _ in body(xi) }
    }

    /// V and M for chunks of `chunk` images, one pair per thread (one for all where split by
    /// position), taken from `buffers`; the caller holds `tensors` while it uses them.
    struct Workspaces {
        let tensors: (Tensor, Tensor)
        let v: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, chunk: Int, vCount: Int, mCount: Int

        /// Pair `index`'s V and M.
        func copy(_ index: Int) -> (v: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>) { (v + index * vCount, m + index * mCount) }
    }

    /// How a call's batch is cut into the pieces its threads claim (`ThreadSplit.BatchCut`): images
    /// in whole `unit`s (groups of eight where vectors span images and the chunk holds whole groups,
    /// since a partial group leaves lanes idle; else single images). Where vectors span images and
    /// the images alone make under `ThreadSplit.batchPartsPerThread` parts a thread, every part is
    /// cut into ranges of tile rows. The last round of pieces is cut into fewer units of images
    /// where its parts hold several, else into fewer tile rows.
    struct PartSplit {
        let cut: ThreadSplit.BatchCut, tilesH: Int
        /// Whether the tail cuts divide tile rows (else images).
        let tailCutsRows: Bool

        /// GEMM columns a piece keeps at least: OpenBLAS packs the [K, C] transformed weights
        /// for every product. Fashion-cnn's 7×7 layers (C 128–256, K 256) cut into parts of 32
        /// columns took 10–15% longer at 2 threads than in parts of 64, which lost more than their tails.
        static let minimumColumns = 64
        /// GEMM columns a piece of the last round keeps at least: narrow products there cost little
        /// against the whole loop, and what they save is the loop's end.
        static let minimumTailColumns = 32

        /// The split of `batch` images on `threads` threads, with chunks as `workspaces` makes them.
        init(_ convolution: WinogradConvolution, batch: Int, threads: Int) {
            let chunk = convolution.chunkSize(batch: (batch + threads - 1) / threads)
            let unit = convolution.lanesSpanImages && chunk % 8 == 0 ? 8 : 1
            let images = ThreadSplit.BatchCut(batch, limit: chunk, unit: unit, threads: threads)
            let widest = min(chunk, (batch + images.parts - 1) / images.parts) * convolution.tilesPerImage
            tilesH = convolution.tilesH
            var subparts = 1
            if convolution.lanesSpanImages && threads > 1 {
                let rowCuts = max(1, min(tilesH, widest / Self.minimumColumns))
                subparts = min(rowCuts, (ThreadSplit.batchPartsPerThread * threads + images.parts - 1) / images.parts)
            }
            let partUnits = images.smallestPart / unit, pieceColumns = images.smallestPart * convolution.tilesPerImage / subparts
            tailCutsRows = convolution.lanesSpanImages && partUnits < 2
            let tail = min(ThreadSplit.maximumTailSubparts, pieceColumns / Self.minimumTailColumns, tailCutsRows ? tilesH / subparts : partUnits)
            cut = images.cutting(subparts: subparts, tailSubparts: tail)
        }

        /// Row boundaries within a part's images, each with a halo of dx rows in backward.
        var boundaries: Int { (tailCutsRows ? cut.cuts : cut.subparts) - 1 }

        /// The halo `piece` adds its last dx rows into, unless its rows end the plane.
        func boundary(_ piece: ThreadSplit.Piece) -> Int? {
            let (last, of) = tailCutsRows ? (piece.cut.upperBound, piece.cuts) : (piece.subpart + 1, piece.subparts)
            return last < of ? last - 1 : nil
        }

        /// The images `piece` covers.
        func images(_ piece: ThreadSplit.Piece) -> Range<Int> { tailCutsRows ? piece.range : piece.items }

        /// The tile rows `piece` covers: the larger cuts first.
        func tileRows(_ piece: ThreadSplit.Piece) -> Range<Int> {
            tailCutsRows ? ThreadSplit.share(piece.cut, of: piece.cuts, total: tilesH)
                : ThreadSplit.share(piece.subpart..<piece.subpart + 1, of: piece.subparts, total: tilesH)
        }
    }

    /// dx += each boundary's halo (`transformInputAdjointAcrossImages`), for every plane of the batch.
    private func addHalos(_ halos: UnsafePointer<Float>, split: PartSplit, batch: Int, into dx: UnsafeMutablePointer<Float>, threads: Int) {
        let g = geometry, c = g.channels, planes = batch * c, haloPlane = haloRows * g.width
        ThreadSplit.forEachRange(planes, threads: threads, minimumPerThread: 16) { range in
            // A plane's boundaries in piece order, all on this thread: halos of 5×5 kernels may overlap.
            for index in 0..<split.cut.pieces {
                let piece = split.cut.piece(index), images = split.images(piece)
                guard let boundary = split.boundary(piece) else { continue }
                let start = tile.outputTile * split.tileRows(piece).upperBound - g.padTop
                let first = max(0, start), end = min(g.height, start + haloRows)
                guard first < end else { continue }
                let (low, high) = (max(range.lowerBound, images.lowerBound * c), min(range.upperBound, images.upperBound * c))
                for plane in low..<max(low, high) {
                    let (source, target) = (halos + (boundary * planes + plane) * haloPlane + (first - start) * g.width, dx + plane * g.inPlane + first * g.width)
                    for i in 0..<(end - first) * g.width { target[i] += source[i] }
                }
            }
        }
    }

    /// V and M for chunks of `chunk` images, `copies` pairs of them.
    func workspaces(chunk: Int, copies: Int, buffers: TensorPool) -> Workspaces {
        let t = chunk * tilesPerImage
        let vCount = tile.positions * Self.positionStride(geometry.channels * t), mCount = tile.positions * Self.positionStride(filters * t)
        // Eight floats of slack: a group of tiles at the very end is read eight floats wide.
        let input = buffers.take([copies * vCount + 8]), output = buffers.take([copies * mCount + 8])
        return Workspaces(tensors: (input, output), v: input.values.baseAddress!, m: output.values.baseAddress!, chunk: chunk,
                          vCount: vCount, mCount: mCount)
    }

    // MARK: - Transforms
    // Vectorised across 8 tiles of a tile row (or 8 filter pairs) at a time: the transformed layouts
    // keep those contiguous. Planes under eight tiles wide go across 8 images instead
    // (`WinogradImageLanes.swift`). Threads split over image planes, so writes never collide.

    /// U = G w Gᵀ for every (k, c), into `u` [α², K, C].
    func transformWeights<T: WinogradTiling>(_ tiling: T.Type, _ w: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>,
                                                     threads: Int) {
        let pairs = filters * geometry.channels, r = T.kernelSize
        ThreadSplit.forEachRange((pairs + 7) / 8, threads: threads, minimumPerThread: 32) { groups in
            Lanes.withScratch(size: T.positions) { d, tmp, out in
                for group in groups {
                    let first = group * 8, lanes = min(8, pairs - first)
                    let offsets = Lanes.clamped(first: first, lanes: lanes) &* (r * r)
                    for e in 0..<r * r { d[e] = Lanes.gather(w + e, offsets) }
                    Lanes.twoSided(d, n: r, m: T.inputTile, tmp: tmp, out: out, T.WeightTransform.self)
                    for xi in 0..<T.positions { Lanes.store(out[xi], to: u + xi * pairs + first, lanes: lanes) }
                }
            }
        }
    }

    /// dw += Gᵀ dU G for every (k, c).
    func transformWeightGradient<T: WinogradTiling>(_ tiling: T.Type, _ du: UnsafePointer<Float>, into dw: UnsafeMutablePointer<Float>,
                                                            threads: Int) {
        let pairs = filters * geometry.channels, r = T.kernelSize
        ThreadSplit.forEachRange((pairs + 7) / 8, threads: threads, minimumPerThread: 32) { groups in
            Lanes.withScratch(size: T.positions) { d, tmp, out in
                for group in groups {
                    let first = group * 8, lanes = min(8, pairs - first)
                    for xi in 0..<T.positions { d[xi] = Lanes.load(du + xi * pairs + first, lanes: lanes) }
                    Lanes.twoSided(d, n: T.inputTile, m: r, tmp: tmp, out: out, T.WeightAdjoint.self)
                    for lane in 0..<lanes {
                        let p = dw + (first + lane) * (r * r)
                        for e in 0..<r * r { p[e] += out[e][lane] }
                    }
                }
            }
        }
    }

    /// A padded plane split by column phase (column mod m, m = 2 or 4): row r keeps column c at
    /// `r · rowStride + (c mod m) · phaseWidth + c / m`, so a vector of eight consecutive tiles of a
    /// tile row (which start m columns apart) reads and writes contiguous floats. The input sits at
    /// (padTop, padLeft) in a frame of zeros; tile (th, tw) starts at row m·th, column m·tw.
    struct Frame {
        let rows: Int, phaseWidth: Int, phaseShift: Int
        init(rows: Int, phaseWidth: Int, phases: Int) {
            self.rows = rows
            self.phaseWidth = phaseWidth
            phaseShift = phases.trailingZeroBitCount
        }
        var rowStride: Int { phaseWidth << phaseShift }
        var count: Int { rows * rowStride }
        /// The index of (row, column).
        @inline(__always) func index(_ row: Int, _ column: Int) -> Int {
            row &* rowStride &+ (column & ((1 << phaseShift) &- 1)) &* phaseWidth &+ (column >> phaseShift)
        }

        /// The index of the first element of tile (th, tw), for tiles m apart (m = the frame's phases).
        @inline(__always) func tileStart(_ th: Int, _ tw: Int, m: Int) -> Int { (m &* th) &* rowStride &+ tw }

        /// The offsets from its tile's start of every element (i, j) of an n×n block, row-major.
        func writeBlockOffsets(n: Int, into offsets: UnsafeMutablePointer<Int>) {
            for i in 0..<n {
                for j in 0..<n { offsets[n * i + j] = index(i, j) }
            }
        }

        /// Zeroes `frame` and copies the height×width `plane` into it at (top, left).
        func load(_ plane: UnsafePointer<Float>, height: Int, width: Int, top: Int, left: Int, into frame: UnsafeMutablePointer<Float>) {
            frame.update(repeating: 0, count: count)
            forEachPhaseRun(height: height, width: width, top: top, left: left) { row, framed, column, phases, runLength in
                let source = plane + row * width + column
                for q in 0..<runLength { frame[framed + q] = source[q &* phases] }
            }
        }

        /// Copies the height×width block at (top, left) of `frame`, plus `offset` (then at least 0
        /// when `rectify`), into `plane`.
        func store(_ frame: UnsafePointer<Float>, height: Int, width: Int, top: Int, left: Int, adding offset: Float, rectify: Bool,
                   into plane: UnsafeMutablePointer<Float>) {
            let floor: Float = rectify ? 0 : -.infinity
            forEachPhaseRun(height: height, width: width, top: top, left: left) { row, framed, column, phases, runLength in
                let target = plane + row * width + column
                for q in 0..<runLength { target[q &* phases] = max(frame[framed + q] + offset, floor) }
            }
        }

        /// Adds the height×width block at (top, left) of `frame` to `plane`.
        func accumulate(_ frame: UnsafePointer<Float>, height: Int, width: Int, top: Int, left: Int, into plane: UnsafeMutablePointer<Float>) {
            forEachPhaseRun(height: height, width: width, top: top, left: left) { row, framed, column, phases, runLength in
                let target = plane + row * width + column
                for q in 0..<runLength { target[q &* phases] += frame[framed + q] }
            }
        }

        /// Splits a height×width block placed at (top, left) into runs that are contiguous in the
        /// frame: for each block row and each column phase, `body(row, frameIndex, column, phases, count)`
        /// covers block columns column, column + phases, … (count of them), which sit at frameIndex, frameIndex + 1, ….
        @inline(__always)
        private func forEachPhaseRun(height: Int, width: Int, top: Int, left: Int,
                                     _ body: (_ row: Int, _ frameIndex: Int, _ column: Int, _ phases: Int, _ count: Int) -> Void) {
            let phases = 1 << phaseShift
            for h in 0..<height {
                for column in 0..<min(phases, width) {
                    body(h, index(h + top, column + left), column, phases, (width - column + phases - 1) >> phaseShift)
                }
            }
        }
    }

    /// Input frames hold rows up to m·tilesH + r − 2 and columns up to m·tw + α − 1 of the last
    /// group of eight tiles.
    private func inputFrame<T: WinogradTiling>(_ tiling: T.Type) -> Frame {
        Frame(rows: T.outputTile * tilesH + T.kernelSize - 1, phaseWidth: (tilesW + 7) / 8 * 8 + (T.inputTile - 1) / T.outputTile + 1,
              phases: T.outputTile)
    }

    private func outputFrame<T: WinogradTiling>(_ tiling: T.Type) -> Frame {
        Frame(rows: T.outputTile * tilesH, phaseWidth: (tilesW + 7) / 8 * 8, phases: T.outputTile)
    }

    /// One thread's buffers for the plane transforms: the padded plane, the transform scratch
    /// (α² vectors each) and the frame offsets of the elements of the block a tile reads or writes.
    private struct PlaneWorkspace {
        let padded: UnsafeMutablePointer<Float>
        let d: UnsafeMutablePointer<Lanes.Vector>, tmp: UnsafeMutablePointer<Lanes.Vector>, out: UnsafeMutablePointer<Lanes.Vector>
        let offsets: UnsafePointer<Int>
    }

    /// Calls `body(image, plane, item, workspace)` for every (image, plane) of `images` images with
    /// `planes` planes each (item = image · planes + plane), on the rank's threads. `block` is the
    /// side of the block a tile covers in `frame` (α for input frames, m for output frames).
    private func forEachPlane<T: WinogradTiling>(_ tiling: T.Type, images: Int, planes: Int, frame: Frame, block: Int, threads: Int,
                                                 _ body: (_ image: Int, _ plane: Int, _ item: Int, _ workspace: PlaneWorkspace) -> Void) {
        ThreadSplit.forEachRange(images * planes, threads: threads, minimumPerThread: 2) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: frame.count) { buffer in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: block * block) { offsets in
                    frame.writeBlockOffsets(n: block, into: offsets.baseAddress!)
                    Lanes.withScratch(size: T.positions) { d, tmp, out in
                        let workspace = PlaneWorkspace(padded: buffer.baseAddress!, d: d, tmp: tmp, out: out,
                                                       offsets: UnsafePointer(offsets.baseAddress!))
                        for order in range {   // plane-major: the transformed side is walked in memory order
                            let (plane, image) = order.quotientAndRemainder(dividingBy: images)
                            body(image, plane, image * planes + plane, workspace)
                        }
                    }
                }
            }
        }
    }

    /// Calls `body(th, tw, lanes)` for every group of up to eight tiles (th, tw ..< tw + lanes) of a tile row.
    @inline(__always)
    private func forEachTileGroup(_ body: (_ th: Int, _ tw: Int, _ lanes: Int) -> Void) {
        for th in 0..<tilesH {
            var tw = 0
            while tw < tilesW {
                body(th, tw, min(8, tilesW - tw))
                tw += 8
            }
        }
    }

    /// Stores a group's α² transformed vectors at `column + ξ · stride`. All eight lanes are stored
    /// while they stay inside the plane's tiles, since the extra ones land on later tiles of the
    /// same plane, which overwrite them (same thread, in order); otherwise only the valid ones.
    @inline(__always)
    private func storeGroup(_ out: UnsafeMutablePointer<Lanes.Vector>, count: Int, to column: UnsafeMutablePointer<Float>, stride: Int,
                            th: Int, tw: Int, lanes: Int) {
        let width = th * tilesW + tw + 8 <= tilesPerImage ? 8 : lanes
        for xi in 0..<count { Lanes.store(out[xi], to: column + xi * stride, lanes: width) }
    }

    /// V = Bᵀ d B for every tile of every plane of `images` images starting at x.
    func transformInput<T: WinogradTiling>(_ tiling: T.Type, _ x: UnsafePointer<Float>, images: Int, rows: Range<Int>,
                                                   into v: UnsafeMutablePointer<Float>, threads: Int) {
        if lanesSpanImages { return transformInputAcrossImages(T.self, x, images: images, rows: rows, into: v, threads: threads) }
        assert(rows == 0..<tilesH, "tile-row parts only where vectors span images")
        let g = geometry, c = g.channels, t = images * tilesPerImage, planeStride = Self.positionStride(c * t), frame = inputFrame(T.self)
        let (m, alpha) = (T.outputTile, T.inputTile)
        forEachPlane(T.self, images: images, planes: c, frame: frame, block: alpha, threads: threads) { image, channel, item, work in
            let (d, out) = (work.d, work.out)
            frame.load(x + item * g.inPlane, height: g.height, width: g.width, top: g.padTop, left: g.padLeft, into: work.padded)
            forEachTileGroup { th, tw, lanes in
                let start = UnsafePointer(work.padded + frame.tileStart(th, tw, m: m))
                for e in 0..<T.positions { d[e] = Lanes.load(start + work.offsets[e]) }
                Lanes.twoSided(d, n: alpha, m: alpha, tmp: work.tmp, out: out, T.InputTransform.self)
                storeGroup(out, count: T.positions, to: v + channel * t + image * tilesPerImage + th * tilesW + tw, stride: planeStride,
                           th: th, tw: tw, lanes: lanes)
            }
        }
    }

    /// dx += Σ B dV Bᵀ over the tiles covering each pixel (the adjoint of `transformInput`).
    func transformInputAdjoint<T: WinogradTiling>(_ tiling: T.Type, _ dv: UnsafePointer<Float>, images: Int, rows: Range<Int>,
                                                          into dx: UnsafeMutablePointer<Float>, halo: UnsafeMutablePointer<Float>?, threads: Int) {
        if lanesSpanImages { return transformInputAdjointAcrossImages(T.self, dv, images: images, rows: rows, into: dx, halo: halo, threads: threads) }
        assert(rows == 0..<tilesH && halo == nil, "tile-row parts only where vectors span images")
        let g = geometry, c = g.channels, t = images * tilesPerImage, planeStride = Self.positionStride(c * t), frame = inputFrame(T.self)
        let (m, alpha) = (T.outputTile, T.inputTile)
        forEachPlane(T.self, images: images, planes: c, frame: frame, block: alpha, threads: threads) { image, channel, item, work in
            let (d, out, padded) = (work.d, work.out, work.padded)
            padded.update(repeating: 0, count: frame.count)
            forEachTileGroup { th, tw, lanes in
                let column = dv + channel * t + image * tilesPerImage + th * tilesW + tw
                for xi in 0..<T.positions { d[xi] = Lanes.load(column + xi * planeStride, lanes: lanes) }   // zero past `lanes`
                Lanes.twoSided(d, n: alpha, m: alpha, tmp: work.tmp, out: out, T.InputAdjoint.self)
                let start = padded + frame.tileStart(th, tw, m: m)
                for e in 0..<T.positions { Lanes.add(out[e], to: start + work.offsets[e]) }
            }
            frame.accumulate(padded, height: g.height, width: g.width, top: g.padTop, left: g.padLeft, into: dx + item * g.inPlane)
        }
    }

    /// y = Aᵀ M A, finished by `finish`, for every tile, keeping the outputs inside P×Q.
    func transformOutput<T: WinogradTiling>(_ tiling: T.Type, _ mt: UnsafePointer<Float>, images: Int, rows: Range<Int>,
                                                    finish: OutputFinish, into y: UnsafeMutablePointer<Float>, threads: Int) {
        if lanesSpanImages { return transformOutputAcrossImages(T.self, mt, images: images, rows: rows, finish: finish, into: y, threads: threads) }
        assert(rows == 0..<tilesH, "tile-row parts only where vectors span images")
        let g = geometry, k = filters, t = images * tilesPerImage, planeStride = Self.positionStride(k * t), frame = outputFrame(T.self)
        let (m, alpha) = (T.outputTile, T.inputTile)
        forEachPlane(T.self, images: images, planes: k, frame: frame, block: m, threads: threads) { image, filter, item, work in
            let (d, out, padded) = (work.d, work.out, work.padded)
            forEachTileGroup { th, tw, lanes in
                let column = mt + filter * t + image * tilesPerImage + th * tilesW + tw
                for xi in 0..<T.positions { d[xi] = Lanes.load(column + xi * planeStride, lanes: lanes) }
                Lanes.twoSided(d, n: alpha, m: m, tmp: work.tmp, out: out, T.OutputTransform.self)
                let start = padded + frame.tileStart(th, tw, m: m)
                for e in 0..<m * m { Lanes.store(out[e], to: start + work.offsets[e]) }
            }
            frame.store(padded, height: g.outH, width: g.outW, top: 0, left: 0, adding: finish.offset(filter), rectify: finish.rectify,
                        into: y + item * g.outPlane)
        }
    }

    /// M̃ = A dy Aᵀ for every tile, outputs outside P×Q counting as zero (the adjoint of `transformOutput`).
    func transformOutputAdjoint<T: WinogradTiling>(_ tiling: T.Type, _ dy: UnsafePointer<Float>, images: Int, rows: Range<Int>,
                                                           into mt: UnsafeMutablePointer<Float>, threads: Int) {
        if lanesSpanImages { return transformOutputAdjointAcrossImages(T.self, dy, images: images, rows: rows, into: mt, threads: threads) }
        assert(rows == 0..<tilesH, "tile-row parts only where vectors span images")
        let g = geometry, k = filters, t = images * tilesPerImage, planeStride = Self.positionStride(k * t), frame = outputFrame(T.self)
        let m = T.outputTile
        forEachPlane(T.self, images: images, planes: k, frame: frame, block: m, threads: threads) { image, filter, item, work in
            let (d, out) = (work.d, work.out)
            frame.load(dy + item * g.outPlane, height: g.outH, width: g.outW, top: 0, left: 0, into: work.padded)
            forEachTileGroup { th, tw, lanes in
                let start = UnsafePointer(work.padded + frame.tileStart(th, tw, m: m))
                for e in 0..<m * m { d[e] = Lanes.load(start + work.offsets[e]) }
                Lanes.twoSided(d, n: m, m: T.inputTile, tmp: work.tmp, out: out, T.OutputAdjoint.self)
                storeGroup(out, count: T.positions, to: mt + filter * t + image * tilesPerImage + th * tilesW + tw, stride: planeStride,
                           th: th, tw: tw, lanes: lanes)
            }
        }
    }
}
