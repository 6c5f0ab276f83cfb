@testable import CohortCore
import CohortTestSupport
import Testing
import CohortRandom

/// Winograd F(2×2, 3×3), F(4×4, 3×3) and F(2×2, 5×5) give the same outputs and gradients as im2col + GEMM.
@Suite struct WinogradTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var channels: Int, filters: Int, size: Int, padding: Padding, batch: Int, kernel = 3
        var testDescription: String { "C\(channels) K\(filters) \(kernel)x\(kernel) on \(size)x\(size) \(padding) N\(batch)" }
    }

    /// Outputs that are and are not multiples of 2 and 4 (partial tiles), all three paddings, 18 × 17
    /// filter pairs (the weight transforms' last group of eight is partial), planes
    /// of fewer than eight tiles across (vectors span images), and a batch that needs several
    /// chunks with either tile (32×32 with 16 channels: 1 image per F(2×2) chunk, 2 per F(4×4)).
    /// 5×5 outputs cost the same with either tile, so `automatic` keeps F(2×2) there; 32×32 is eight
    /// F(4×4) tiles wide, a whole vector per tile row, and 42×42 eleven (a whole vector and a
    /// partial one, whose last tile is partial too). Planes under eight tiles wide put eight images
    /// in a vector: 128 channels at 7×7 over 30 images make chunks of 8 + 8 + 8 + 6 (F(2×2)) images
    /// and one of 30 (F(4×4)), so whole and partial groups of eight; over 11 images (a rank's slice
    /// of 32 on 3 ranks), fashion-cnn's conv2 shape makes chunks of 8 + 3, its conv4 shape one of 11.
    /// 5×5 kernels take F(2×2, 5×5) under `automatic` and im2col under `winograd2x2`: googlenet's
    /// 28×28 (14 tiles a row) and 14×14 and 7×7 shapes (vectors across images), a 9×9 input with
    /// `valid` (5×5 out) and an 11×11 one with a padding of 1 (9×9 out, partial tiles).
    @Test(arguments: [
        Case(channels: 16, filters: 24, size: 14, padding: .same, batch: 3),
        Case(channels: 20, filters: 16, size: 7, padding: .same, batch: 2),
        Case(channels: 16, filters: 16, size: 9, padding: .valid, batch: 2),
        Case(channels: 18, filters: 17, size: 6, padding: .explicit(height: 2, width: 2), batch: 2),
        Case(channels: 16, filters: 16, size: 32, padding: .same, batch: 16),
        Case(channels: 16, filters: 16, size: 42, padding: .same, batch: 2),
        Case(channels: 16, filters: 18, size: 3, padding: .same, batch: 3),
        Case(channels: 16, filters: 16, size: 5, padding: .same, batch: 2),
        Case(channels: 128, filters: 128, size: 7, padding: .same, batch: 30),
        Case(channels: 64, filters: 128, size: 14, padding: .same, batch: 11),
        Case(channels: 128, filters: 256, size: 7, padding: .same, batch: 11),
        Case(channels: 32, filters: 96, size: 28, padding: .same, batch: 2, kernel: 5),
        Case(channels: 24, filters: 64, size: 14, padding: .same, batch: 11, kernel: 5),
        Case(channels: 48, filters: 128, size: 7, padding: .same, batch: 9, kernel: 5),
        Case(channels: 16, filters: 17, size: 9, padding: .valid, batch: 2, kernel: 5),
        Case(channels: 16, filters: 16, size: 11, padding: .explicit(height: 1, width: 1), batch: 3, kernel: 5),
    ], [Conv2D.Algorithm.winograd2x2, .automatic])
    func matchesIm2col(_ c: Case, algorithm: Conv2D.Algorithm) throws {
        let winograd = try run(c, algorithm: algorithm), reference = try run(c, algorithm: .im2col)
        // F(4×4) wherever it is cheaper (not 5×5 outputs); 5×5 kernels F(2×2, 5×5) or im2col.
        let expected: WinogradConvolution.Tile? = c.kernel == 5 ? (algorithm == .automatic ? .f2x2Kernel5 : nil)
            : algorithm == .winograd2x2 || c.size == 5 ? .f2x2 : .f4x4
        #expect(winograd.winograd?.tile == expected && reference.winograd == nil)
        // Measured worst errors: up to 5e-7 for F(2×2), 7.5e-6 for F(4×4) (fashion-cnn's conv4 shape,
        // C128 K256 7×7), whose transforms scale by up to 8 and 1/24, and 6.5e-6 for F(2×2, 5×5).
        let tolerance = expected == .f2x2 || expected == nil ? 2e-6 : 2e-5
        #expect(RelativeDifference.maximum(reference.y, winograd.y) < tolerance)
        #expect(RelativeDifference.maximum(reference.dx, winograd.dx) < tolerance)
        #expect(RelativeDifference.maximum(reference.gradients, winograd.gradients) < tolerance)
    }

    /// On several threads, parts of the batch are cut again: a small batch of planes under eight
    /// tiles wide by tile rows in every part, a larger one in the last round of parts only, and
    /// wider planes' last round into fewer images; dx rows two tile-row pieces share go through a
    /// halo buffer. Outputs and gradients stay those of one thread, within rounding. Fashion-cnn's
    /// conv2 shape over 32 images (F(4×4): 4 tile rows in 2 parts; F(2×2): 7 in 2 or 3), 7×7 over
    /// 64 images and a `valid` 9×9 input (halo rows at the plane's bottom) under F(2×2) (F(4×4)
    /// splits those by position: see below), a 5×5 kernel (4 halo rows) on 7×7 (im2col under
    /// `winograd2x2`), 14×14 over 128 images (the last round in rows) and 32×32 over 16 (F(4×4)'s
    /// last round of 2 images a part in single images; F(2×2) has parts of one image there, which
    /// stay whole).
    @Test(arguments: [
        Case(channels: 64, filters: 128, size: 14, padding: .same, batch: 32),
        Case(channels: 32, filters: 64, size: 7, padding: .same, batch: 64),
        Case(channels: 16, filters: 24, size: 9, padding: .valid, batch: 64),
        Case(channels: 48, filters: 64, size: 7, padding: .same, batch: 16, kernel: 5),
        Case(channels: 16, filters: 24, size: 14, padding: .same, batch: 128),
        Case(channels: 16, filters: 16, size: 32, padding: .same, batch: 16),
    ], [Conv2D.Algorithm.winograd2x2, .automatic])
    func cutPartsComputeWhatOneThreadDoes(_ c: Case, algorithm: Conv2D.Algorithm) throws {
        let one = try run(c, algorithm: algorithm)
        if let winograd = one.winograd, winograd.tilesPerImage < 256, !winograd.splitsPositions(threads: 2) {
            let cuts = [2, 3].map { WinogradConvolution.PartSplit(winograd, batch: c.batch, threads: $0).cut.cuts }
            #expect(cuts.contains { $0 > 1 }, "cuts of a part at 2 and 3 threads: \(cuts)")
        }
        for threads in [2, 3] {
            let split = try run(c, algorithm: algorithm, threads: threads)
            #expect(split.winograd?.tile == one.winograd?.tile && (split.winograd != nil) == (c.kernel == 3 || algorithm == .automatic))
            // Each output tile comes from its own input tile, but through a product of another width,
            // which OpenBLAS may sum in another order (its kernels for small products).
            #expect(RelativeDifference.maximum(one.y, split.y) < 1e-6, "\(threads) threads")
            #expect(RelativeDifference.maximum(one.dx, split.dx) < 1e-6, "\(threads) threads")
            #expect(RelativeDifference.maximum(one.gradients, split.gradients) < 1e-5, "\(threads) threads")
        }
    }

    /// With several threads, planes of at most four tiles (up to 8×8 under F(4×4)) are split by
    /// position ξ, not by images: all threads transform a chunk, each GEMM goes whole (or, with many
    /// threads, in blocks of rows) to one thread, and each block of dU adds the chunks in order.
    /// Outputs and gradients stay those of one thread, within rounding. Fashion-cnn's conv4 shape
    /// over 32 images (one chunk), its conv5 shape over 64 (chunks of 56 and 8: dU added over two),
    /// a 4×4 plane (one tile an image), and a `valid` 9×9 input (7×7 out, partial tiles); on 16
    /// threads the products go in blocks of rows.
    @Test(arguments: [
        Case(channels: 128, filters: 256, size: 7, padding: .same, batch: 32),
        Case(channels: 256, filters: 256, size: 7, padding: .same, batch: 64),
        Case(channels: 64, filters: 64, size: 4, padding: .same, batch: 12),
        Case(channels: 40, filters: 72, size: 9, padding: .valid, batch: 9),
    ])
    func positionSplitComputesWhatOneThreadDoes(_ c: Case) throws {
        let one = try run(c, algorithm: .automatic)
        let winograd = try #require(one.winograd)
        #expect(winograd.tile == .f4x4 && !winograd.splitsPositions(threads: 1) && winograd.splitsPositions(threads: 2))
        for threads in [2, 3, 16] {
            let split = try run(c, algorithm: .automatic, threads: threads)
            #expect(RelativeDifference.maximum(one.y, split.y) < 1e-6, "\(threads) threads")
            #expect(RelativeDifference.maximum(one.dx, split.dx) < 1e-6, "\(threads) threads")
            #expect(RelativeDifference.maximum(one.gradients, split.gradients) < 1e-5, "\(threads) threads")
        }
    }

    /// F(4×4) pays from 3×3 outputs on, except where F(2×2) tiles 5×5 exactly as cheaply; a 1×1
    /// output is cheaper direct.
    @Test func cheapestTileCountsMultiplications() {
        func tile(_ size: Int) -> WinogradConvolution.Tile? {
            WinogradConvolution.cheapestTile(for: ConvGeometry(channels: 16, height: size, width: size, kernelH: 3, kernelW: 3,
                                                               strideH: 1, strideW: 1, padTop: 1, padLeft: 1, outH: size, outW: size))
        }
        #expect(tile(1) == nil)
        #expect(tile(2) == .f2x2)
        #expect(tile(5) == .f2x2)
        for size in [3, 4, 7, 8, 14, 28, 56] { #expect(tile(size) == .f4x4, "\(size)x\(size)") }
    }

    @Test func smallOrStridedLayersKeepIm2col() throws {
        for (channels, filters, stride) in [(3, 32, 1), (32, 8, 1), (32, 32, 2)] {
            let conv = Conv2D(filters: filters, kernel: 3, stride: stride, name: "conv")
            _ = try Network(root: conv, inputShape: [channels, 8, 8])
            #expect(conv.winogradTile == nil, "C\(channels) K\(filters) s\(stride)")
        }
    }

    func run(_ c: Case, algorithm: Conv2D.Algorithm, threads: Int = 1) throws
        -> (y: [Float], dx: [Float], gradients: [Float], winograd: WinogradConvolution?) {
        let conv = Conv2D(filters: c.filters, kernel: c.kernel, padding: c.padding, name: "conv")
        conv.algorithm = algorithm
        let network = try Network(root: conv, inputShape: [c.channels, c.size, c.size], inputGradient: true)
        network.arena.initialize(seed: 7)
        var generator = SplitMix64(seed: 3)
        for i in 0..<conv.bias!.count { conv.bias!.value[i] = generator.nextFloat() - 0.5 }
        let x = Tensor(zeros: [c.batch, c.channels, c.size, c.size])
        for i in 0..<x.count { x[i] = generator.nextFloat() - 0.5 }
        let context = Context(mode: .training, threads: threads)
        let y = try network.forward(x, context: context)
        let dy = Tensor(zeros: y.shape)
        for i in 0..<dy.count { dy[i] = generator.nextFloat() - 0.5 }
        network.arena.zeroGradients()
        let dx = try network.root.backward(dy, context: context)
        return (Array(y.values), Array(dx.values), Array(network.arena.gradients), conv.winograd)
    }
}
