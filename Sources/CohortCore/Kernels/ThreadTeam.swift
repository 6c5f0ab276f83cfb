import CohortTrace
import Foundation
import Synchronization

/// The rank's worker threads behind `ThreadSplit`: created once, they spin briefly after each
/// parallel region so the next one (a step runs hundreds, back to back) starts without a wake-up,
/// and park on a condition when none comes. The calling thread runs parts too, then spins until
/// every part is done. One region at a time: a caller that finds the team busy (a nested region,
/// or another thread's) gets `false` and runs its parts some other way.
///
/// Parts are claimed, not assigned: a part is `body(part, thread)` whichever thread runs it, so
/// results depend only on the parts (`ThreadSplit`'s split), never on which thread took which;
/// `thread` (0 for the caller, below the region's thread count) only picks that thread's scratch.
/// A region may have more parts than threads: a thread that finishes early claims another.
///
/// A thread running a part may share a loop inside it (`share`): the region's threads that have no
/// part left claim that loop's items too, so a region ends about an item apart, not a part apart,
/// when the host runs one core slower than the other (googlenet b16's 56×56 layer at 2 threads, in
/// parts of one image, ended with one thread idle 4–5 ms of 68).
final class ThreadTeam: @unchecked Sendable {
    /// The process's team (it grows to the largest region asked of it).
    static let shared = ThreadTeam()

    /// How long an idle worker spins for the next region before it parks: longer than the gap
    /// between two layers' regions, far shorter than a step's communication or data wait.
    static let spinSeconds = 200e-6

    /// Serialises regions; held by the calling thread for the length of one.
    private let regionLock = NSLock()
    /// Parked workers wait on it for the next generation.
    private let wakeUp = NSCondition()
    /// The current region in one word, so a claim sees all of it at once: generation (high 32
    /// bits), part count (16 bits), next unclaimed part (low 16 bits).
    private let claims = Atomic<UInt64>(0)
    private let finishedParts = Atomic<Int>(0)
    private let parkedWorkers = Atomic<Int>(0)
    /// The region's body: set before its generation is published, cleared after all its parts are
    /// done, and read only by a thread holding a claimed part of it.
    nonisolated(unsafe) private var body: ((Int, Int) -> Void)?
    /// The region's thread count: workers numbered from it on sit the region out. Stored before
    /// the region's generation is published.
    private let regionThreads = Atomic<Int>(0)
    /// Workers started so far (under `regionLock`).
    private var workers = 0
    /// One seat per thread index: who runs a part as it, and the loop it shares.
    private let seats = (0..<ThreadTeam.seatCount).map { _ in Seat() }
    /// Thread indices that can share loops; threads beyond run their loops alone.
    static let seatCount = 256
    /// Whether helpers record when they run shared items (for `run`'s `reportingHelp`), set for a region.
    private let recordsHelp = Atomic<Bool>(false)
    /// Spans of help a thread records in a region at most (later ones join the last).
    static let helpSpansPerThread = 32

    /// Runs `body(part, thread)` for parts 0..<parts on the caller (thread 0) and `threads − 1`
    /// workers, returning when all are done; false (nothing run) when another region holds the team.
    /// With `reportingHelp`, threads record when they ran other threads' shared items, and it gets
    /// each thread's (start, end) spans of that (consecutive items as one) once all parts are done.
    func run(parts: Int, threads: Int, reportingHelp: ((_ thread: Int, _ spans: UnsafeBufferPointer<(start: Double, end: Double)>) -> Void)? = nil,
             _ body: (_ part: Int, _ thread: Int) -> Void) -> Bool {
        precondition(parts > 0 && parts < 1 << 16 && threads > 0, "ThreadTeam: \(parts) parts on \(threads) threads")
        guard regionLock.try() else { return false }
        defer { regionLock.unlock() }
        while workers < min(parts, threads) - 1 { startWorker() }
        withoutActuallyEscaping(body) { escapable in
            self.body = escapable
            regionThreads.store(threads, ordering: .relaxed)
            finishedParts.store(0, ordering: .relaxed)
            recordsHelp.store(reportingHelp != nil, ordering: .relaxed)
            for seat in seats.prefix(threads) { seat.helpSpanCount = 0 }
            let generation = ((claims.load(ordering: .relaxed) >> 32) &+ 1) & 0xFFFF_FFFF   // wraps after 2³² regions
            claims.store(generation << 32 | UInt64(parts) << 16, ordering: .sequentiallyConsistent)   // publishes body
            if parkedWorkers.load(ordering: .sequentiallyConsistent) > 0 {
                wakeUp.lock()
                wakeUp.broadcast()
                wakeUp.unlock()
            }
            runParts(of: generation, thread: 0)
            helpWhileRunning(generation, thread: 0)
            self.body = nil
            if let reportingHelp {
                for (thread, seat) in seats.prefix(threads).enumerated() {
                    reportingHelp(thread, UnsafeBufferPointer(rebasing: UnsafeBufferPointer(seat.helpSpans)[0..<seat.helpSpanCount]))
                }
            }
        }
        return true
    }

    /// Claims and runs parts of `generation` as `thread` until none is left (none at all once it is over).
    private func runParts(of generation: UInt64, thread: Int) {
        while true {
            let current = claims.load(ordering: .acquiring)
            let parts = Int(current >> 16 & 0xFFFF), part = Int(current & 0xFFFF)
            guard current >> 32 == generation, part < parts else { return }
            guard claims.compareExchange(expected: current, desired: current &+ 1, ordering: .acquiringAndReleasing).exchanged else { continue }
            runClaimed(part, thread: thread)
            finishedParts.add(1, ordering: .releasing)
        }
    }

    /// Runs a claimed part: its region cannot end, nor its body change, before this returns.
    @inline(never)
    private func runClaimed(_ part: Int, thread: Int) {
        let seat = thread < Self.seatCount ? seats[thread] : nil
        seat?.runner.store(UInt(pthread_self()), ordering: .relaxed)
        body!(part, thread)
        seat?.runner.store(0, ordering: .relaxed)
    }

    /// Until every part of `generation` is done: runs items of the loops the threads still running
    /// parts share (a thread without a core, oversubscribed, gets to run after a while).
    private func helpWhileRunning(_ generation: UInt64, thread: Int) {
        let records = recordsHelp.load(ordering: .relaxed)
        var idle = 0
        while true {
            let current = claims.load(ordering: .acquiring)
            guard current >> 32 == generation, finishedParts.load(ordering: .acquiring) < Int(current >> 16 & 0xFFFF) else { return }
            var helped = false
            for index in 0..<min(regionThreads.load(ordering: .relaxed), Self.seatCount) where index != thread {
                while let item = seats[index].claim() {
                    let start = records ? StepTrace.now() : 0
                    seats[index].loop!(item, thread)
                    if records, thread < Self.seatCount { seats[thread].recordHelp(start: start, end: StepTrace.now()) }
                    seats[index].finishedItems.add(1, ordering: .releasing)
                    helped = true
                }
            }
            idle = helped ? 0 : idle &+ 1
            if idle > 4096 { sched_yield() }
        }
    }

    /// Runs `body(item, thread)` for items 0..<`count` on the calling thread, sharing them with the
    /// current region's threads that have no part left, when the caller is running a part of that
    /// region (and shares no other loop); false (nothing run) otherwise. Items must be independent:
    /// each result depends only on its item, whichever thread (`thread`, for scratch) ran it.
    func share(_ count: Int, _ body: (_ item: Int, _ thread: Int) -> Void) -> Bool {
        guard count > 1, count < 1 << 16 else { return false }
        let me = UInt(pthread_self())
        guard let index = (0..<min(regionThreads.load(ordering: .relaxed), Self.seatCount)).first(where: { seats[$0].runner.load(ordering: .relaxed) == me }),
              seats[index].loop == nil
        else { return false }
        let seat = seats[index]
        withoutActuallyEscaping(body) { escapable in
            seat.open(escapable, count: count)
            while let item = seat.claim() {
                escapable(item, index)
                seat.finishedItems.add(1, ordering: .releasing)
            }
            seat.close(count: count)
        }
        return true
    }


    private func startWorker() {
        workers += 1
        let index = workers
        let thread = Thread { [unowned self] in self.work(as: index) }
        thread.name = "cohort-worker-\(workers)"
        thread.start()
    }

    /// A worker's life: wait for a generation it has not seen, help with its parts (unless the
    /// region has fewer threads than `index + 1`), repeat.
    private func work(as index: Int) {
        var seen = claims.load(ordering: .acquiring) >> 32
        while true {
            var generation = claims.load(ordering: .acquiring) >> 32
            if generation == seen {
                let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(Self.spinSeconds * 1e9)
                var spins = 0
                while generation == seen {
                    spins &+= 1
                    if spins & 255 == 0 && DispatchTime.now().uptimeNanoseconds > deadline { break }
                    generation = claims.load(ordering: .acquiring) >> 32
                }
                if generation == seen { generation = park(seen: seen) }
            }
            seen = generation
            // This generation's count, or a later region's once this one is over (and has nothing left to claim).
            if index < regionThreads.load(ordering: .relaxed) {
                runParts(of: generation, thread: index)
                helpWhileRunning(generation, thread: index)
            }
        }
    }

    /// Sleeps until a generation other than `seen` is published; returns it.
    private func park(seen: UInt64) -> UInt64 {
        wakeUp.lock()
        defer { wakeUp.unlock() }
        parkedWorkers.add(1, ordering: .sequentiallyConsistent)
        var generation = claims.load(ordering: .sequentiallyConsistent) >> 32
        while generation == seen {
            wakeUp.wait()
            generation = claims.load(ordering: .sequentiallyConsistent) >> 32
        }
        parkedWorkers.subtract(1, ordering: .sequentiallyConsistent)
        return generation
    }
}

extension ThreadTeam {
    /// A thread index's state: the thread running a part as it, the loop it shares, and when it
    /// helped with others' loops. One object each, so seats do not share cache lines.
    private final class Seat: @unchecked Sendable {
        /// pthread_self() of the thread running a part as this index, 0 between parts.
        let runner = Atomic<UInt>(0)
        /// The shared loop in one word: sequence (high 32 bits), item count (16 bits), next
        /// unclaimed item (low 16 bits); a count of 0 when none is open.
        let items = Atomic<UInt64>(0)
        let finishedItems = Atomic<Int>(0)
        /// The open loop's body: set before it opens, cleared after all its items are done, read
        /// only by a thread holding a claimed item of it (or by its owner).
        nonisolated(unsafe) var loop: ((Int, Int) -> Void)?
        /// Written only by the seat's own thread during a region, read by the region's caller after it.
        let helpSpans = UnsafeMutableBufferPointer<(start: Double, end: Double)>.allocate(capacity: ThreadTeam.helpSpansPerThread)
        nonisolated(unsafe) var helpSpanCount = 0

        deinit { helpSpans.deallocate() }

        func open(_ body: @escaping (Int, Int) -> Void, count: Int) {
            loop = body
            finishedItems.store(0, ordering: .relaxed)
            let sequence = ((items.load(ordering: .relaxed) >> 32) &+ 1) & 0xFFFF_FFFF
            items.store(sequence << 32 | UInt64(count) << 16, ordering: .sequentiallyConsistent)   // publishes loop
        }

        /// Claims the open loop's next item, if one is left.
        func claim() -> Int? {
            while true {
                let current = items.load(ordering: .acquiring)
                let count = Int(current >> 16 & 0xFFFF), item = Int(current & 0xFFFF)
                guard item < count else { return nil }
                if items.compareExchange(expected: current, desired: current &+ 1, ordering: .acquiringAndReleasing).exchanged { return item }
            }
        }

        /// Waits for the items other threads still run, then closes the loop.
        func close(count: Int) {
            var spins = 0
            while finishedItems.load(ordering: .acquiring) < count {
                spins &+= 1
                if spins > 4096 { sched_yield() }
            }
            items.store((items.load(ordering: .relaxed) >> 32) << 32, ordering: .releasing)
            loop = nil
        }

        /// Adds a span of help, joined to the last one when it follows it within 5 µs (the last
        /// span grows when there is no room for another).
        func recordHelp(start: Double, end: Double) {
            if helpSpanCount > 0 && (start - helpSpans[helpSpanCount - 1].end < 5e-6 || helpSpanCount == helpSpans.count) {
                helpSpans[helpSpanCount - 1].end = end
            } else {
                helpSpans[helpSpanCount] = (start, end)
                helpSpanCount += 1
            }
        }
    }
}
