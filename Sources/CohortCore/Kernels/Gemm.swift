import COpenBLAS

/// Row-major single-precision matrix product through OpenBLAS:
/// `C = alpha · op(A) · op(B) + beta · C`, with op(A) of size m×k and op(B) k×n.
package enum Gemm {
    @inline(__always)
    package static func multiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The most multiply-adds (m·n·k) of a product OpenBLAS may run through its small-matrix
    /// kernels (0.3.21's SkylakeX and Cooperlake permits: 100³).
    static let smallProduct = 1_000_000

    /// Which of C's dimensions `multiplyInBlocks` cuts.
    package enum Blocks { case rows, columns }

    /// `multiply` in blocks of C's rows or columns, of at least `minimum` each, on `threads` threads
    /// (`ThreadSplit.forEachRange`): inside a piece of a parallel loop, shared with the loop's
    /// threads that have no piece left. Every block packs the operand it shares with the others
    /// again (op(A) for columns, op(B) for rows), so that one should be the small one.
    ///
    /// Each element of C comes out as from one `multiply`, bit for bit: OpenBLAS runs products of
    /// at most `smallProduct` multiply-adds through other kernels (its small-matrix path), which
    /// round differently, so a block never goes below that where the whole product is above it
    /// (blocks of fashion-cnn's conv1, 64 × 261 × 49, moved a ReLU's kink and 1 × 2 threads parted
    /// from 1 × 1 by 8e-5 after two steps).
    package static func multiplyInBlocks(
        of blocks: Blocks, threads: Int, minimum: Int = 256, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let across = (blocks == .rows ? n : m) * k, fewest = max(minimum, smallProduct / max(1, across) + 1)
        ThreadSplit.forEachRange(blocks == .rows ? m : n, threads: threads, minimumPerThread: fewest, partsPerThread: 4) { range in
            let first = range.lowerBound
            if blocks == .rows {
                multiply(transposeA: transposeA, transposeB: transposeB, m: range.count, n: n, k: k, a: a + first * (transposeA ? 1 : lda), lda: lda,
                         b: b, ldb: ldb, beta: beta, c: c + first * ldc, ldc: ldc)
            } else {
                multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: range.count, k: k, a: a, lda: lda,
                         b: b + first * (transposeB ? ldb : 1), ldb: ldb, beta: beta, c: c + first, ldc: ldc)
            }
        }
    }

    /// The naive twin of `multiply`, in Double accumulation, for tests.
    package static func naive(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let av = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(av) * Double(bv)
                }
                let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * sum + previous)
            }
        }
    }

    /// Sets the number of threads OpenBLAS uses in this process.
    package static func setThreads(_ threads: Int) { openblas_set_num_threads(Int32(max(1, threads))) }
    /// The number of threads OpenBLAS currently uses.
    package static var threads: Int { Int(openblas_get_num_threads()) }
}
