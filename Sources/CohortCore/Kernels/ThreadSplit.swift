import CohortTrace
import Dispatch
import Synchronization

/// How a rank spreads work over its threads (`Context.threads`, `--threads`). Every parallel loop
/// of a step goes through here; OpenBLAS itself runs single-threaded (`Gemm.setThreads(1)`), so a
/// matrix product is split by the caller, over images or rows, where it is efficient.
///
/// A loop is cut into fixed parts, which the threads claim as they go: a thread slowed for a while
/// (by the host, on a shared node) takes fewer parts instead of holding up the loop's end, while
/// every part, and so every result, stays the same whichever thread ran it.
package enum ThreadSplit {
    /// Parts per thread for loops whose parts cost nothing to cut finer (elementwise work, planes,
    /// channels): enough that a thread running a few percent slow hands parts over to the others.
    package static let partsPerThread = 8

    /// Parts a thread should have at least in loops over a batch whose parts cost something to cut
    /// finer (narrower GEMMs), so that a thread the host slows for a while hands its last parts to
    /// the others rather than holding up the loop's end. Fashion-cnn b32 at 2 threads had 4 parts of
    /// 8 images in its 14×14 Winograd layers, and one thread waited for the other 0.2–1.5 ms at the
    /// end of most of them.
    package static let batchPartsPerThread = 4

    /// Calls `body` with disjoint consecutive ranges covering `0..<count`, on up to `threads`
    /// threads in parallel when each gets at least `minimumPerThread` items, in up to
    /// `partsPerThread` ranges a thread of at least `minimumPerThread` items each (1 where cutting
    /// costs: a split GEMM packs its other operand again for every range).
    package static func forEachRange(_ count: Int, threads: Int, minimumPerThread: Int = 1, partsPerThread: Int = partsPerThread,
                                     _ body: (Range<Int>) -> Void) {
        let used = partCount(count, threads: threads, minimumPerThread: minimumPerThread)
        guard used > 1 else {
            if count > 0 { body(0..<count) }
            return
        }
        let parts = min(used * partsPerThread, count / max(1, minimumPerThread))
        forEachPart(count, parts: parts, threads: used) { _, range, _ in body(range) }
    }

    /// How many threads `forEachRange` runs `count` items on (0 or 1 means it runs them inline).
    package static func partCount(_ count: Int, threads: Int, minimumPerThread: Int = 1) -> Int {
        min(threads, count / max(1, minimumPerThread))
    }

    /// Calls `body(part, range, thread)` for `parts` parts on up to `threads` threads in parallel:
    /// part p covers `count·p/parts ..< count·(p+1)/parts`, so the split depends only on
    /// (count, parts); `thread` (below `threads`) is the one running it, for its own scratch.
    package static func forEachPart(_ count: Int, parts: Int, threads: Int,
                                    _ body: (_ part: Int, _ range: Range<Int>, _ thread: Int) -> Void) {
        guard parts > 1, threads > 1 else {
            for part in 0..<max(parts, 1) { body(part, range(part, of: max(parts, 1), count: count), 0) }
            return
        }
        // Inside a part of a region: the region's threads that run out of parts claim these parts too.
        if ThreadTeam.shared.share(parts, { part, thread in body(part, range(part, of: parts, count: count), thread) }) { return }
        let trace = StepTrace.current
        guard trace != nil || ParallelActivity.isMeasuring else {
            run(count, parts: parts, threads: threads, body)
            return
        }
        // When each thread started its first part and ended its last (it claims the next part as
        // soon as one ends), and when it then helped with parts' shared loops, to trace them and to
        // measure how long several threads were busy.
        withUnsafeTemporaryAllocation(of: (start: Double, end: Double).self, capacity: threads * (1 + ThreadTeam.helpSpansPerThread)) { spans in
            spans.initialize(repeating: (.infinity, -.infinity))
            var filled = threads
            run(count, parts: parts, threads: threads, reportingHelp: { thread, help in
                for span in help {
                    spans[filled] = span
                    filled += 1
                    trace?.span("help", category: "threads", thread: thread, start: span.start, end: span.end)
                }
            }) { part, range, thread in
                let start = StepTrace.now()
                body(part, range, thread)
                spans[thread] = (min(spans[thread].start, start), StepTrace.now())
            }
            if let trace {
                for thread in 0..<threads where spans[thread].start.isFinite {
                    trace.span("parallel", category: "threads", thread: thread, start: spans[thread].start, end: spans[thread].end)
                }
            }
            if ParallelActivity.isMeasuring { ParallelActivity.add(UnsafeMutableBufferPointer(rebasing: spans[0..<filled])) }
        }
    }

    /// Calls `body(piece, thread)` for every piece of `cut`, claimed in order by the threads as they
    /// free up. For a batch whose images are independent: parts of at most a chunk, as many for
    /// every thread, so no thread waits long at the end for another.
    package static func forEachBatchPart(_ cut: BatchCut, _ body: (_ piece: Piece, _ thread: Int) -> Void) {
        let pieces = cut.pieces
        forEachPart(pieces, parts: pieces, threads: min(cut.threads, pieces)) { index, _, thread in body(cut.piece(index), thread) }
    }

    /// How many parts `forEachBatchPart` cuts `count` items into, and on how many threads it runs them:
    /// the fewest that keep parts within `limit` and give every thread as many, or, when that cuts
    /// unequal parts, up to twice as many where they come out equal. Unequal parts leave a thread
    /// idle at the loop's end: 32 images in chunks of at most 6 made 6 parts of 5 or 6 images, and
    /// fashion-cnn's conv1 forward at 2 threads ended with one thread waiting 0.2 ms (15%) of it.
    package static func batchParts(_ count: Int, limit: Int, unit: Int = 1, threads: Int) -> (parts: Int, threads: Int) {
        let units = (count + unit - 1) / unit, perPart = max(1, limit / unit), used = max(1, min(threads, units))
        let fewest = min(units, used * ((units + used * perPart - 1) / (used * perPart)))
        let equal = stride(from: fewest, through: min(units, 2 * fewest), by: used).first { units % $0 == 0 }
        return (equal ?? fewest, used)
    }

    /// Items `count·part/parts ..< count·(part+1)/parts`.
    private static func range(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        (count * part / parts)..<(count * (part + 1) / parts)
    }

    private static func run(_ count: Int, parts: Int, threads: Int,
                            reportingHelp: ((_ thread: Int, _ spans: UnsafeBufferPointer<(start: Double, end: Double)>) -> Void)? = nil,
                            _ body: (_ part: Int, _ range: Range<Int>, _ thread: Int) -> Void) {
        // The ranges are disjoint and `body` writes only within its range (or its thread's scratch).
        let ran = ThreadTeam.shared.run(parts: parts, threads: threads, reportingHelp: reportingHelp) { part, thread in body(part, range(part, of: parts, count: count), thread) }
        guard !ran else { return }
        // The team is busy (a region inside a shared item, or another thread's): Dispatch's pool, with
        // the same claiming of parts.
        let next = Atomic<Int>(0)
        withoutActuallyEscaping(body) { escapable in
            nonisolated(unsafe) let work = escapable
            DispatchQueue.concurrentPerform(iterations: min(parts, threads)) { thread in
                while true {
                    let part = next.add(1, ordering: .relaxed).oldValue
                    guard part < parts else { return }
                    work(part, range(part, of: parts, count: count), thread)
                }
            }
        }
    }
}
