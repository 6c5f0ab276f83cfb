/// Winograd convolution with its threads split by position ξ rather than by images, for small
/// planes. A chunk of images is transformed by all threads together (plane by plane); each of the
/// α² GEMMs then goes whole to one thread (the last few in blocks of rows); the outputs are
/// transformed by all threads again. The batch split gives each thread narrow products there
/// (fashion-cnn b32's 7×7 layers: 4 tiles an image, 64 columns a piece) and ends a loop up to a
/// piece apart whenever the host slows one core; split by position, every product spans the whole
/// chunk, and the threads end at most a block of one product apart. One V and M serve all threads,
/// and each block of dU adds the chunks in chunk order, so no result depends on which thread ran what.
extension WinogradConvolution {
    /// Whether `threads` threads split this convolution by position: on planes of at most four tiles
    /// (8×8 and smaller under F(4×4)). Measured on AVX-512 Zen 4 at 2 threads against the batch
    /// split, per layer: fashion-cnn's 7×7 layers 12–18% faster at b32 and b128, resnet18-cifar's
    /// 8×8 and 4×4 ones 11–18%; its 16×16 ones (16 tiles) no faster, fashion-cnn's 14×14 ones
    /// 5–9% slower (likely as a whole chunk's V and M leave the cache a piece's stay in).
    func splitsPositions(threads: Int) -> Bool {
        threads > 1 && lanesSpanImages && tilesPerImage <= 4
    }

    /// Images per chunk split by position: as many as the workspace bound allows (one V and one M
    /// for all threads), in whole groups of eight where vectors span images.
    func positionChunkSize(batch: Int) -> Int {
        let bound = max(1, Self.workspaceFloats / (tile.positions * max(geometry.channels, filters) * tilesPerImage))
        return min(batch, lanesSpanImages && bound >= 8 ? bound / 8 * 8 : bound)
    }

    /// Calls `body(ξ, rows)` for every position ξ of `positions` and block of the `rows` rows of
    /// its product, claimed in order by `threads` threads: whole products (or, with more threads
    /// than a quarter of the positions, blocks of at least 32 rows), the last round, one a thread,
    /// up to 4 times finer (blocks of at least 16 rows: `ThreadSplit.BatchCut` over positions), so
    /// that threads the host runs at different speeds end closer together than a product apart.
    private func forEachPositionBlock(positions: Int, rows: Int, threads: Int, _ body: (_ position: Int, _ rows: Range<Int>) -> Void) {
        let blocks = max(1, min(rows / 32, (4 * threads + positions - 1) / positions))
        let cut = ThreadSplit.BatchCut(positions, limit: 1, threads: threads)
            .cutting(subparts: blocks, tailSubparts: min(ThreadSplit.maximumTailSubparts, rows / (16 * blocks)))
        ThreadSplit.forEachBatchPart(cut) { piece, _ in body(piece.range.lowerBound, ThreadSplit.share(piece.cut, of: piece.cuts, total: rows)) }
    }

    /// Calls `body(first, count, columns)` for the chunks of at most `chunk` images of `batch`, in
    /// order; `columns` = count × tiles per image.
    private func forEachChunk(batch: Int, chunk: Int, _ body: (_ first: Int, _ count: Int, _ columns: Int) -> Void) {
        for first in stride(from: 0, to: batch, by: chunk) {
            let count = min(chunk, batch - first)
            body(first, count, count * tilesPerImage)
        }
    }

    /// `forward`, split by position: chunk by chunk, transforms on all threads, then the products.
    func forwardByPositions<T: WinogradTiling>(_ tiling: T.Type, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, finish: OutputFinish,
                                               batch: Int, y: UnsafeMutablePointer<Float>, buffers: TensorPool, threads: Int) {
        let (c, k) = (geometry.channels, filters), chunk = positionChunkSize(batch: batch)
        let transformedWeights = buffers.take([T.positions * k * c])
        let workspaces = workspaces(chunk: chunk, copies: 1, buffers: buffers)
        defer { withExtendedLifetime((transformedWeights, workspaces)) {} }
        let u = UnsafePointer(transformedWeights.values.baseAddress!), (v, m) = workspaces.copy(0)
        transformWeights(T.self, weight, into: transformedWeights.values.baseAddress!, threads: threads)
        forEachChunk(batch: batch, chunk: chunk) { first, count, t in
            let (vs, ms) = (Self.positionStride(c * t), Self.positionStride(k * t))
            transformInput(T.self, x + first * c * geometry.inPlane, images: count, rows: 0..<tilesH, into: v, threads: threads)
            forEachPositionBlock(positions: T.positions, rows: k, threads: threads) { xi, rows in
                Gemm.multiply(transposeA: false, transposeB: false, m: rows.count, n: t, k: c, a: u + xi * k * c + rows.lowerBound * c, lda: c,
                              b: v + xi * vs, ldb: t, beta: 0, c: m + xi * ms + rows.lowerBound * t, ldc: t)
            }
            transformOutput(T.self, m, images: count, rows: 0..<tilesH, finish: finish, into: y + first * k * geometry.outPlane, threads: threads)
        }
    }

    /// `backward`, split by position: chunk by chunk, dU's blocks before dV's, each on all threads.
    func backwardByPositions<T: WinogradTiling>(_ tiling: T.Type, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                                outputGradient dy: UnsafePointer<Float>, batch: Int, weightGradient: UnsafeMutablePointer<Float>,
                                                inputGradient: UnsafeMutablePointer<Float>?, buffers: TensorPool, threads: Int) {
        let (c, k) = (geometry.channels, filters), chunk = positionChunkSize(batch: batch), duCount = T.positions * k * c
        let transformedWeights = buffers.take([duCount])
        let transformedWeightGradients = buffers.take([duCount + 8])   // read eight floats wide
        let workspaces = workspaces(chunk: chunk, copies: 1, buffers: buffers)
        defer { withExtendedLifetime((transformedWeights, transformedWeightGradients, workspaces)) {} }
        let u = UnsafePointer(transformedWeights.values.baseAddress!), du = transformedWeightGradients.values.baseAddress!
        let (v, m) = workspaces.copy(0)
        transformWeights(T.self, weight, into: transformedWeights.values.baseAddress!, threads: threads)
        (du + duCount).update(repeating: 0, count: 8)
        forEachChunk(batch: batch, chunk: chunk) { first, count, t in
            let (vs, ms) = (Self.positionStride(c * t), Self.positionStride(k * t))
            transformInput(T.self, x + first * c * geometry.inPlane, images: count, rows: 0..<tilesH, into: v, threads: threads)
            transformOutputAdjoint(T.self, dy + first * k * geometry.outPlane, images: count, rows: 0..<tilesH, into: m, threads: threads)
            // Each block of dU adds its chunks in chunk order, whichever thread runs it.
            forEachPositionBlock(positions: T.positions, rows: k, threads: threads) { xi, rows in
                Gemm.multiply(transposeA: false, transposeB: true, m: rows.count, n: c, k: t, a: m + xi * ms + rows.lowerBound * t, lda: t,
                              b: v + xi * vs, ldb: t, beta: first == 0 ? 0 : 1, c: du + xi * k * c + rows.lowerBound * c, ldc: c)
            }
            if let dx = inputGradient {
                forEachPositionBlock(positions: T.positions, rows: c, threads: threads) { xi, rows in   // dV overwrites V
                    Gemm.multiply(transposeA: true, transposeB: false, m: rows.count, n: t, k: k, a: u + xi * k * c + rows.lowerBound, lda: c,
                                  b: m + xi * ms, ldb: t, beta: 0, c: v + xi * vs + rows.lowerBound * t, ldc: t)
                }
                transformInputAdjoint(T.self, v, images: count, rows: 0..<tilesH, into: dx + first * c * geometry.inPlane, halo: nil, threads: threads)
            }
        }
        transformWeightGradient(T.self, du, into: weightGradient, threads: threads)
    }
}
