import CohortTrace
import Dispatch

/// How a rank spreads work over its threads (`Context.threads`, `--threads`). Every parallel loop
/// of a step goes through here; OpenBLAS itself runs single-threaded (`Gemm.setThreads(1)`), so a
/// matrix product is split by the caller, over images or rows, where it is efficient.
package enum ThreadSplit {
    /// Calls `body` with disjoint consecutive ranges covering `0..<count`, one per thread, on up to
    /// `threads` threads in parallel when each gets at least `minimumPerThread` items.
    package static func forEachRange(_ count: Int, threads: Int, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = partCount(count, threads: threads, minimumPerThread: minimumPerThread)
        guard parts > 1 else {
            if count > 0 { body(0..<count) }
            return
        }
        forEachPart(count, parts: parts) { _, range in body(range) }
    }

    /// How many parts `forEachRange` splits `count` items into (0 or 1 means it runs them inline).
    package static func partCount(_ count: Int, threads: Int, minimumPerThread: Int = 1) -> Int {
        min(threads, count / max(1, minimumPerThread))
    }

    /// Calls `body(part, range)` for `parts` parts in parallel: part p covers
    /// `count·p/parts ..< count·(p+1)/parts`, so the split depends only on (count, parts).
    package static func forEachPart(_ count: Int, parts: Int, _ body: (_ part: Int, _ range: Range<Int>) -> Void) {
        guard parts > 1 else {
            body(0, 0..<count)
            return
        }
        let trace = StepTrace.current
        guard trace != nil || ParallelActivity.isMeasuring else {
            run(count, parts: parts, body)
            return
        }
        // Each part's start and end, to trace them and to measure how long several threads were busy.
        withUnsafeTemporaryAllocation(of: (start: Double, end: Double).self, capacity: parts) { times in
            run(count, parts: parts) { part, range in
                let start = StepTrace.now()
                body(part, range)
                times[part] = (start, StepTrace.now())
            }
            if let trace {
                for part in 0..<parts { trace.span("parallel", category: "threads", thread: part, start: times[part].start, end: times[part].end) }
            }
            if ParallelActivity.isMeasuring { ParallelActivity.add(times) }
        }
    }

    private static func run(_ count: Int, parts: Int, _ body: (_ part: Int, _ range: Range<Int>) -> Void) {
        // The ranges are disjoint and `body` writes only within its range (or its part's workspace).
        let ran = ThreadTeam.shared.run(parts: parts) { p in body(p, (count * p / parts)..<(count * (p + 1) / parts)) }
        guard !ran else { return }
        // The team is busy (a region inside a region, or another thread's): Dispatch's pool.
        withoutActuallyEscaping(body) { escapable in
            nonisolated(unsafe) let work = escapable
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                work(p, (count * p / parts)..<(count * (p + 1) / parts))
            }
        }
    }
}
