/// 2-D convolution (cross-correlation), NCHW, via Winograd or im2col + GEMM.
///
/// Shapes: x [N, C, H, W], weight [K, C/G, R, S], bias [K], y [N, K, P, Q], with G groups
/// (G = C gives a depthwise convolution).
/// y[n, k, p, q] = bias[k] + Σ_{c∈group(k), r, s} weight[k, c, r, s] · x[n, c, p·stride − pad + r, q·stride − pad + s].
/// 3×3 and 5×5 stride-1 layers with at least 16 input channels and filters run Winograd F(4×4, 3×3),
/// F(2×2, 3×3) or F(2×2, 5×5) (`WinogradConvolution`, `Algorithm`); the others im2col + GEMM, where samples are processed in chunks whose
/// column matrices sit side by side, so one GEMM covers several small images. Forward caches a
/// reference to x (the column matrix or Winograd transform is rebuilt in backward).
package final class Conv2D: Layer {
    /// How a layer computes its convolution.
    package enum Algorithm: String, Sendable, CaseIterable {
        /// Winograd where it applies and pays (3×3 or 5×5, stride 1, ungrouped, ≥ 16 channels in and
        /// out, output larger than 1×1), else im2col. A 3×3 layer's tile is F(4×4, 3×3) where it needs
        /// fewer multiplications (every output from 3×3 on but 5×5), else F(2×2, 3×3); a 5×5 layer's
        /// is F(2×2, 5×5). F(4×4, 3×3) and F(2×2, 5×5) round ~10× more than F(2×2, 3×3), so layouts
        /// agree step by step but may part after a few steps where an input sits on a ReLU's kink
        /// (docs/DESIGN.md §4.2).
        case automatic
        /// As `automatic`, but always the F(2×2, 3×3) tile, and im2col for 5×5 layers: slower, but
        /// layouts (ranks, threads) agree within 1e-5 over many steps.
        case winograd2x2
        /// im2col + GEMM always.
        case im2col
    }

    package let name: String
    package let filters: Int
    package let kernel: (height: Int, width: Int)
    package let stride: (height: Int, width: Int)
    package let padding: Padding
    package let groups: Int
    package let useBias: Bool
    /// False when the input is the network's own input, whose gradient nobody reads: backward then
    /// skips the dX GEMM and col2im and returns an empty tensor (`Network` sets it).
    package var computesInputGradient = true
    /// Whether forward also applies ReLU to its output, as it writes it (`Sequential` sets it when a
    /// ReLU follows, which then only passes the output on).
    package var rectifiesOutput = false
    /// How this layer convolves; `Network` sets it for the whole model (`cohort bench --conv`).
    /// A change takes effect at once, also on a built layer.
    package var algorithm = Algorithm.automatic {
        didSet { if geometry != nil { planWinograd() } }
    }
    package private(set) var weight: Parameter!
    package private(set) var bias: Parameter?
    private var geometry: ConvGeometry!
    private(set) var winograd: WinogradConvolution?
    /// The Winograd tile the built layer runs, or nil when it runs im2col.
    package var winogradTile: WinogradConvolution.Tile? { winograd?.tile }
    private var inputShape: Shape = []
    private var input: Tensor?
    private let output = Tensor(zeros: [0])

    package init(filters: Int, kernel: Int, stride: Int = 1, padding: Padding = .same, groups: Int = 1, bias: Bool = true, name: String) {
        self.filters = filters
        self.kernel = (kernel, kernel)
        self.stride = (stride, stride)
        self.padding = padding
        self.groups = groups
        self.useBias = bias
        self.name = name
    }

    package var parameters: [Parameter] { [weight, bias].compactMap { $0 } }

    package func build(input: Shape) throws -> Shape {
        guard input.rank == 3 else { throw CoreError.shapeMismatch(layer: name, expected: "[C, H, W]", got: input) }
        let (c, h, w) = (input[0], input[1], input[2])
        guard c % groups == 0, filters % groups == 0 else {
            throw CoreError.invalidArgument("layer '\(name)': \(c) input channels and \(filters) filters must both divide into \(groups) groups")
        }
        let out = padding.resolve(height: h, width: w, kernelH: kernel.height, kernelW: kernel.width, strideH: stride.height, strideW: stride.width)
        guard out.outH > 0, out.outW > 0 else { throw CoreError.spatialTooSmall(layer: name, input: input) }
        geometry = ConvGeometry(channels: c / groups, height: h, width: w, kernelH: kernel.height, kernelW: kernel.width,
                                strideH: stride.height, strideW: stride.width, padTop: out.padTop, padLeft: out.padLeft,
                                outH: out.outH, outW: out.outW)
        inputShape = input
        planWinograd()
        let fanIn = geometry.columnRows, fanOut = filters / groups * kernel.height * kernel.width
        weight = Parameter(name: "weight", shape: [filters, c / groups, kernel.height, kernel.width], role: .weight,
                           initializer: .glorotUniform(fanIn: fanIn, fanOut: fanOut))
        bias = useBias ? Parameter(name: "bias", shape: [filters], role: .bias, initializer: .zeros) : nil
        return [filters, out.outH, out.outW]
    }

    /// Sets up the Winograd transform `algorithm` picks for the built geometry, or none for im2col.
    private func planWinograd() {
        winograd = nil
        guard algorithm != .im2col, inputShape[0] >= 16, filters >= 16, WinogradConvolution.applies(to: geometry, groups: groups),
              let tile = WinogradConvolution.cheapestTile(for: geometry, among: algorithm == .automatic ? WinogradConvolution.Tile.allCases : [.f2x2])
        else { return }
        winograd = WinogradConvolution(geometry: geometry, filters: filters, tile: tile)
    }

    /// The smallest plane on which a 1×1 layer runs one GEMM per image in place, so that each GEMM
    /// keeps at least 196 columns (14×14). With it googlenet and resnet50 ran 2–3% faster on AVX-512
    /// Zen 4 (docs/results/bench-2026-12-07-avx512); other thresholds were not tried.
    private static let pointwisePlane = 196

    package var forwardFLOPs: Int { 2 * filters * geometry.columnRows * geometry.outPlane }

    /// Images per GEMM: enough columns to keep BLAS efficient, bounded by a workspace of ~8M floats.
    /// A 1×1 layer on planes of at least `Self.pointwisePlane` multiplies each image where it lies
    /// (one image per GEMM, no column or staging copies).
    private func chunkSize(batch: Int) -> Int {
        let plane = geometry.outPlane
        if geometry.columnsAreInput && plane >= Self.pointwisePlane { return 1 }
        let wanted = max(1, (4096 + plane - 1) / plane)
        let byMemory = max(1, (8 << 20) / max(1, geometry.columnRows * plane))
        return min(batch, wanted, byMemory)
    }

    /// Columns an im2col part keeps at least when it is cut finer than a chunk.
    private static let minimumPartColumns = 256

    /// Images a part of the batch holds at most with `threads` threads: a chunk, but few enough for
    /// `ThreadSplit.batchPartsPerThread` parts a thread where each keeps `minimumPartColumns`
    /// columns. ResNet-50 b16 at 2 threads cut its strided 3×3 layers at 28×28 into 4 parts
    /// and at 14×14 into 2, and one thread waited for the other 7–15% of those layers.
    private func partImages(batch n: Int, threads: Int) -> Int {
        let chunk = chunkSize(batch: (n + threads - 1) / threads), parts = ThreadSplit.batchPartsPerThread * threads
        guard threads > 1 else { return chunk }
        return min(chunk, max((n + parts - 1) / parts, (Self.minimumPartColumns + geometry.outPlane - 1) / geometry.outPlane))
    }

    /// How a batch is cut into the pieces threads claim: parts of `partImages(...)`, the last round
    /// of them into pieces of fewer images that keep `minimumPartColumns` columns each, so that a
    /// thread the host slows leaves the others a short wait at the end.
    private func batchCut(batch n: Int, threads: Int) -> ThreadSplit.BatchCut {
        let parts = ThreadSplit.BatchCut(n, limit: partImages(batch: n, threads: threads), threads: threads), smallest = parts.smallestPart
        return parts.cutting(tailSubparts: min(ThreadSplit.maximumTailSubparts, smallest, smallest * geometry.outPlane / Self.minimumPartColumns))
    }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: inputShape)
        input = x
        let g = geometry!, n = x.shape.batch, plane = g.outPlane, threads = context.threads
        output.resize(to: [n, filters, g.outH, g.outW])
        let xp = UnsafePointer(x.values.baseAddress!), yp = output.values.baseAddress!
        let wp = UnsafePointer(weight.value.values.baseAddress!), bp = bias.map { UnsafePointer($0.value.values.baseAddress!) }
        if let winograd {
            winograd.forward(x: xp, weight: wp, bias: bp, rectify: rectifiesOutput, batch: n, y: yp, buffers: context.buffers, threads: threads)
        } else {
            let used = max(1, min(threads, n)), inPerSample = inputShape.count, chunk = partImages(batch: n, threads: used)
            let work = workspaces(chunk: chunk, copies: used, buffers: context.buffers)
            defer { withExtendedLifetime(work) {} }
            // Each image's output depends only on its own columns, so not on the split. Within a
            // piece, its column matrices, products and finishing are shared with threads that ran out of pieces.
            ThreadSplit.forEachBatchPart(batchCut(batch: n, threads: used)) { piece, thread in
                let images = piece.items
                forwardIm2col(x: xp + images.lowerBound * inPerSample, weight: wp, bias: bp, batch: images.count,
                              y: yp + images.lowerBound * filters * plane, workspace: work.copy(thread), threads: used)
            }
        }
        return output
    }

    /// y = W ⋆ x (+ bias, added as each output row is written) for `n` images, a chunk of images per
    /// GEMM, on the calling thread (inside a piece, shared with `threads` threads; see `Gemm.multiplyInBlocks`).
    private func forwardIm2col(x xp: UnsafePointer<Float>, weight wp: UnsafePointer<Float>, bias bp: UnsafePointer<Float>?, batch n: Int,
                               y yp: UnsafeMutablePointer<Float>, workspace: Workspace, threads: Int) {
        let g = geometry!, plane = g.outPlane, kPerGroup = filters / groups
        let chunk = workspace.chunk, col = workspace.columns, ldc = chunk * plane
        for group in 0..<groups {
            var n0 = 0
            while n0 < n {
                let nb = min(chunk, n - n0), cols = nb * plane
                let columns = columnMatrix(g, x: xp, first: n0, count: nb, group: group, workspace: col, ld: ldc, threads: threads)
                let wg = wp + group * kPerGroup * g.columnRows
                if nb == 1 {
                    Gemm.multiplyInBlocks(of: .columns, threads: threads, transposeA: false, transposeB: false, m: kPerGroup, n: cols, k: g.columnRows,
                                          a: wg, lda: g.columnRows, b: columns.start, ldb: columns.ld, beta: 0,
                                          c: yp + (n0 * filters + group * kPerGroup) * plane, ldc: plane)
                    if bp != nil || rectifiesOutput {
                        ThreadSplit.forEachRange(kPerGroup, threads: threads, minimumPerThread: 8) { rows in
                            for k in group * kPerGroup + rows.lowerBound..<group * kPerGroup + rows.upperBound {
                                let row = yp + (n0 * filters + k) * plane
                                Self.finish(row, from: row, count: plane, bias: bp?[k] ?? 0, rectify: rectifiesOutput)
                            }
                        }
                    }
                } else {
                    let st = workspace.staging
                    Gemm.multiplyInBlocks(of: .columns, threads: threads, transposeA: false, transposeB: false, m: kPerGroup, n: cols, k: g.columnRows,
                                          a: wg, lda: g.columnRows, b: columns.start, ldb: columns.ld, beta: 0, c: st, ldc: cols)
                    ThreadSplit.forEachRange(kPerGroup, threads: threads, minimumPerThread: 8) { rows in
                        for k in rows {
                            let v = bp?[group * kPerGroup + k] ?? 0
                            for j in 0..<nb {
                                Self.finish(yp + ((n0 + j) * filters + group * kPerGroup + k) * plane, from: st + k * cols + j * plane, count: plane,
                                            bias: v, rectify: rectifiesOutput)
                            }
                        }
                    }
                }
                n0 += nb
            }
        }
    }

    /// With several threads, they take chunks of images as they free up (`ThreadSplit.forEachSlotChunk`):
    /// the chunks of slot 0 add their weight gradient in place, the other slots' into zeroed copies,
    /// added at the end, so the gradient depends on the thread count, not on which thread ran what.
    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        guard let x = input else { throw CoreError.invalidArgument("layer '\(name)': backward before forward") }
        let n = x.shape.batch, plane = geometry.outPlane, threads = context.threads
        let inputGradient = context.buffers.take(computesInputGradient ? x.shape : [0])
        let xp = UnsafePointer(x.values.baseAddress!), dyp = UnsafePointer(dy.values.baseAddress!)
        let dxp = computesInputGradient ? inputGradient.values.baseAddress! : nil
        let wp = UnsafePointer(weight.value.values.baseAddress!)
        let dwp = weight.isTrainable ? weight.gradient.values.baseAddress : nil
        if let winograd {
            // A frozen kernel's gradient goes to a scratch tensor (the Winograd backward computes both together).
            let scratch = dwp == nil ? context.buffers.take([weight.count]) : nil
            defer { withExtendedLifetime(scratch) {} }
            Elementwise.zero(inputGradient.values.baseAddress!, count: inputGradient.count, threads: threads)
            winograd.backward(x: xp, weight: wp, outputGradient: dyp, batch: n, weightGradient: dwp ?? scratch!.values.baseAddress!,
                              inputGradient: dxp, buffers: context.buffers, threads: threads)
        } else {
            let used = max(1, min(threads, n)), inPerSample = inputShape.count, weightCount = dwp == nil ? 0 : weight.count
            let work = workspaces(chunk: partImages(batch: n, threads: used), copies: used, buffers: context.buffers)
            let cut = batchCut(batch: n, threads: used), slots = ThreadSplit.accumulatorSlots(cut)
            let partialGradients = context.buffers.take([(slots - 1) * weightCount])
            defer { withExtendedLifetime((work, partialGradients)) {} }
            let partials = partialGradients.values.baseAddress!
            // Chunks go to whichever thread is free; slot 0 adds its dW into the gradient in place,
            // the others into their own copies, each in chunk order (its turn spans the chunk).
            ThreadSplit.forEachSlotChunk(cut) { chunk, inTurn in
                let images = chunk.piece.items, first = images.lowerBound, slotGradient = chunk.slot == 0 || dwp == nil ? dwp : partials + (chunk.slot - 1) * weightCount
                if let dxp, !work.imagesAreColumns {   // col2im adds
                    (dxp + first * inPerSample).update(repeating: 0, count: images.count * inPerSample)
                }
                inTurn {
                    if chunk.startsSlot, chunk.slot > 0, let slotGradient { slotGradient.update(repeating: 0, count: weightCount) }
                    backwardIm2col(x: xp + first * inPerSample, weight: wp, outputGradient: dyp + first * filters * plane, batch: images.count,
                                   weightGradient: slotGradient, inputGradient: dxp.map { $0 + first * inPerSample },
                                   workspace: work.copy(chunk.thread), threads: used, splitsWeightProduct: chunk.piece.index >= cut.pieces - used)
                }
            }
            if let dwp { PartialSums.add(parts: partials, parts: slots - 1, count: weightCount, into: dwp, threads: threads) }
        }
        if let bias, bias.isTrainable {
            let db = bias.gradient.values.baseAddress!
            ThreadSplit.forEachRange(filters, threads: threads, minimumPerThread: 8) { kernels in
                for k in kernels {
                    var sum = 0.0
                    for i in 0..<n { sum += LaneSums.sum(dyp + (i * filters + k) * plane, count: plane) }
                    db[k] += Float(sum)
                }
            }
        }
        return inputGradient
    }

    /// Adds dW for `n` images to `weightGradient` (unless nil: a frozen kernel) and, when given,
    /// writes their dX, on the calling thread (inside a piece, shared with `threads` threads). The dW
    /// product is cut into blocks only when `splitsWeightProduct` (the last pieces claimed, one a thread): each
    /// block packs a large operand again (dY or the columns, whichever is smaller), which costs
    /// more than it saves except where other threads would otherwise wait.
    private func backwardIm2col(x xp: UnsafePointer<Float>, weight wp: UnsafePointer<Float>, outputGradient dyp: UnsafePointer<Float>, batch n: Int,
                                weightGradient dwp: UnsafeMutablePointer<Float>?, inputGradient dxp: UnsafeMutablePointer<Float>?,
                                workspace: Workspace, threads: Int, splitsWeightProduct: Bool) {
        let g = geometry!, plane = g.outPlane, kPerGroup = filters / groups, inPerSample = inputShape.count
        let chunk = workspace.chunk, ldc = chunk * plane, col = workspace.columns
        for group in 0..<groups {
            var n0 = 0
            while n0 < n {
                let nb = min(chunk, n - n0), cols = nb * plane
                let columns = columnMatrix(g, x: xp, first: n0, count: nb, group: group, workspace: col, ld: ldc, threads: threads)
                // dY of this chunk and group as a [K/G, nb·P·Q] matrix.
                let dyMatrix: UnsafePointer<Float>, ldy: Int
                if nb == 1 {
                    dyMatrix = dyp + (n0 * filters + group * kPerGroup) * plane
                    ldy = plane
                } else {
                    let st = workspace.staging
                    ThreadSplit.forEachRange(kPerGroup, threads: threads, minimumPerThread: 8) { rows in
                        for k in rows {
                            for j in 0..<nb {
                                (st + k * cols + j * plane).update(from: dyp + ((n0 + j) * filters + group * kPerGroup + k) * plane, count: plane)
                            }
                        }
                    }
                    dyMatrix = UnsafePointer(st)
                    ldy = cols
                }
                // dW_g += dY · colᵀ
                if let dwp {
                    Gemm.multiplyInBlocks(of: kPerGroup <= g.columnRows ? .columns : .rows, threads: splitsWeightProduct ? threads : 1, minimum: 32,
                                          transposeA: false, transposeB: true, m: kPerGroup, n: g.columnRows, k: cols,
                                          a: dyMatrix, lda: ldy, b: columns.start, ldb: columns.ld, beta: 1,
                                          c: dwp + group * kPerGroup * g.columnRows, ldc: g.columnRows)
                }
                guard let dxp else {
                    n0 += nb
                    continue
                }
                // dcol = W_gᵀ · dY: the image's dX itself when the columns were the image, else col2im'd into dX.
                let dxImage = dxp + n0 * inPerSample + group * g.channels * g.inPlane
                Gemm.multiplyInBlocks(of: .columns, threads: threads, transposeA: true, transposeB: false, m: g.columnRows, n: cols, k: kPerGroup,
                                      a: wp + group * kPerGroup * g.columnRows, lda: g.columnRows, b: dyMatrix, ldb: ldy, beta: 0,
                                      c: columns.isImage ? dxImage : col, ldc: columns.isImage ? plane : ldc)
                if !columns.isImage {
                    Self.forEachImageChannels(images: nb, channels: g.channels, threads: threads) { j, channels in
                        Im2Col.col2im(g, columns: col + j * plane, ld: ldc, image: dxImage + j * inPerSample, channels: channels)
                    }
                }
                n0 += nb
            }
        }
    }

    /// out = source + bias, or max(source + bias, 0) when `rectify`; `out` may be `source`.
    @inline(__always)
    private static func finish(_ out: UnsafeMutablePointer<Float>, from source: UnsafePointer<Float>, count: Int, bias: Float, rectify: Bool) {
        if rectify {
            for t in 0..<count { out[t] = max(source[t] + bias, 0) }
        } else {
            for t in 0..<count { out[t] = source[t] + bias }
        }
    }

    /// One thread's column matrix of `chunk` images and, when `chunk` > 1, its staging matrix that
    /// reorders one group's GEMM output (or dY) between [K/G, chunk·P·Q] and NCHW.
    private struct Workspace {
        let columns: UnsafeMutablePointer<Float>, staging: UnsafeMutablePointer<Float>, chunk: Int
    }

    /// `copies` workspaces side by side in two tensors taken from `buffers` (every layer shares the
    /// same few); the caller holds the tensors while it uses them.
    private struct Workspaces {
        let tensors: (Tensor, Tensor)
        let chunk: Int, columnsCount: Int, stagingCount: Int
        /// One image per GEMM of a 1×1 stride-1 layer: every column matrix is an image in place, and dX is written, not added.
        var imagesAreColumns: Bool { columnsCount == 0 }

        /// Thread `index`'s workspace.
        func copy(_ index: Int) -> Workspace {
            Workspace(columns: tensors.0.values.baseAddress! + index * columnsCount, staging: tensors.1.values.baseAddress! + index * stagingCount,
                      chunk: chunk)
        }
    }

    private func workspaces(chunk: Int, copies: Int, buffers: TensorPool) -> Workspaces {
        let plane = geometry.outPlane
        let columnsCount = chunk == 1 && geometry.columnsAreInput ? 0 : geometry.columnRows * chunk * plane, stagingCount = chunk > 1 ? filters / groups * chunk * plane : 0
        return Workspaces(tensors: (buffers.take([copies * columnsCount]), buffers.take([copies * stagingCount])), chunk: chunk,
                          columnsCount: columnsCount, stagingCount: stagingCount)
    }

    /// The column matrix of images `first ..< first + count` (channels of `group`) side by side, built
    /// in `workspace` with leading dimension `ld` (on `threads` threads), or, for one image of a 1×1
    /// stride-1 layer, the image itself where it lies.
    private func columnMatrix(_ g: ConvGeometry, x: UnsafePointer<Float>, first: Int, count: Int, group: Int,
                              workspace columns: UnsafeMutablePointer<Float>, ld: Int, threads: Int) -> (start: UnsafePointer<Float>, ld: Int, isImage: Bool) {
        let inPerSample = inputShape.count, plane = g.outPlane
        if count == 1 && g.columnsAreInput { return (x + first * inPerSample + group * g.channels * g.inPlane, plane, true) }
        Self.forEachImageChannels(images: count, channels: g.channels, threads: threads) { j, channels in
            Im2Col.im2col(g, image: x + (first + j) * inPerSample + group * g.channels * g.inPlane, columns: columns + j * plane, ld: ld,
                          channels: channels)
        }
        return (UnsafePointer(columns), ld, false)
    }

    /// Calls `body(image, channels)` over ranges of the channels of `images` images (each range
    /// within one image), on `threads` threads: inside a piece, shared with threads that ran out of pieces.
    private static func forEachImageChannels(images: Int, channels: Int, threads: Int, _ body: (_ image: Int, _ channels: Range<Int>) -> Void) {
        let cuts = threads > 1 ? min(channels, max(1, 4 * threads / images)) : 1
        ThreadSplit.forEachPart(images * cuts, parts: images * cuts, threads: threads) { item, _, _ in
            let (image, cut) = item.quotientAndRemainder(dividingBy: cuts)
            body(image, channels * cut / cuts..<channels * (cut + 1) / cuts)
        }
    }
}
