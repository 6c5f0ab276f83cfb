import Dispatch

/// Runs the work around the GEMMs (im2col, col2im) on the rank's threads — the count OpenBLAS
/// was given — so a rank with several threads is not serial between its matrix products.
package enum ThreadSplit {
    /// Calls `body` with disjoint consecutive ranges covering `0..<count`, one per thread, in
    /// parallel when the rank has several threads and each gets at least `minimumPerThread` items.
    package static func forEachRange(_ count: Int, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
        let threads = min(Gemm.threads, count / max(1, minimumPerThread))
        guard threads > 1 else {
            if count > 0 { body(0..<count) }
            return
        }
        // The ranges are disjoint and `body` writes only within its range.
        withoutActuallyEscaping(body) { escapable in
            nonisolated(unsafe) let work = escapable
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                work((count * t / threads)..<(count * (t + 1) / threads))
            }
        }
    }
}
