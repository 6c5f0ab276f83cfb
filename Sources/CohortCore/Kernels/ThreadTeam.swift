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

    /// Runs `body(part, thread)` for parts 0..<parts on the caller (thread 0) and `threads − 1`
    /// workers, returning when all are done; false (nothing run) when another region holds the team.
    func run(parts: Int, threads: Int, _ body: (_ part: Int, _ thread: Int) -> Void) -> Bool {
        precondition(parts > 0 && parts < 1 << 16 && threads > 0, "ThreadTeam: \(parts) parts on \(threads) threads")
        guard regionLock.try() else { return false }
        defer { regionLock.unlock() }
        while workers < min(parts, threads) - 1 { startWorker() }
        withoutActuallyEscaping(body) { escapable in
            self.body = escapable
            regionThreads.store(threads, ordering: .relaxed)
            finishedParts.store(0, ordering: .relaxed)
            let generation = ((claims.load(ordering: .relaxed) >> 32) &+ 1) & 0xFFFF_FFFF   // wraps after 2³² regions
            claims.store(generation << 32 | UInt64(parts) << 16, ordering: .sequentiallyConsistent)   // publishes body
            if parkedWorkers.load(ordering: .sequentiallyConsistent) > 0 {
                wakeUp.lock()
                wakeUp.broadcast()
                wakeUp.unlock()
            }
            runParts(of: generation, thread: 0)
            var spins = 0
            while finishedParts.load(ordering: .acquiring) < parts {
                spins &+= 1
                if spins > 4096 { sched_yield() }   // a worker without a core (oversubscribed): let it run
            }
            self.body = nil
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
    private func runClaimed(_ part: Int, thread: Int) { body!(part, thread) }

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
            if index < regionThreads.load(ordering: .relaxed) { runParts(of: generation, thread: index) }
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
