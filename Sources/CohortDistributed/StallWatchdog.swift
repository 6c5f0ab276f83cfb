import Foundation

/// Ends the job when a collective waits too long, naming the step and the ranks that did not arrive.
///
/// `MPICommunicator` arms it around every collective; the training loop calls `stepBegan(_:)` at the
/// start of each step, which sets the step printed on expiry and feeds the adaptive timeout.
/// Timeout: `--stall-timeout` when given; otherwise 10× the median step time so far (last 1000
/// steps) and at least 60 s; before the second step begins (no step time yet) it is 600 s, so a
/// slow checkpoint load on rank 0 does not trip it. On expiry it prints to stderr and calls
/// `MPI_Abort` with `StallWatchdog.exitStatus`. A rank other than 0 whose peers' arrival it
/// cannot see waits a short grace period first so that rank 0, which sees every rank, reports.
package final class StallWatchdog: @unchecked Sendable {
    /// The status the job is aborted with when a stall is detected.
    package static let exitStatus: Int32 = 124
    /// The timeout used before any step time is known, when none was given.
    package static let startupTimeout: Double = 600
    /// The smallest adaptive timeout.
    package static let minimumTimeout: Double = 60

    private let fixedTimeout: Double?
    private let rank: Int
    private let arrivals: ArrivalBoard?
    private let abortJob: @Sendable (Int32) -> Void
    private let condition = NSCondition()
    private var step = 0
    private var stepStart: Double?
    private var stepDurations: [Double] = []
    /// The timeout in force, recomputed once per step (not per collective).
    private var timeout: Double
    private var sequence: Int64 = 0
    /// The last sequence number told to the peers.
    private var published: Int64 = 0
    private var armed: (sequence: Int64, step: Int, what: String, since: Double, deadline: Double)?
    private var stopped = false

    init(timeout: Double?, rank: Int, arrivals: ArrivalBoard?, abort: @escaping @Sendable (Int32) -> Void) {
        fixedTimeout = timeout
        self.timeout = timeout ?? StallWatchdog.startupTimeout
        self.rank = rank
        self.arrivals = arrivals
        abortJob = abort
        let thread = Thread { [self] in watch() }
        thread.name = "cohort-stall-watchdog"
        thread.start()
    }

    /// The timeout that the next `arm` will use, in seconds.
    package var currentTimeout: Double {
        condition.lock()
        defer { condition.unlock() }
        return timeout
    }

    /// Marks the start of training step `step`; the previous step's duration feeds the adaptive timeout.
    package func stepBegan(_ step: Int) {
        let now = ProcessInfo.processInfo.systemUptime
        condition.lock()
        defer { condition.unlock() }
        if let start = stepStart {
            stepDurations.append(now - start)
            if stepDurations.count > 1000 { stepDurations.removeFirst() }
            if fixedTimeout == nil {
                let sorted = stepDurations.sorted()
                timeout = max(StallWatchdog.minimumTimeout, 10 * sorted[sorted.count / 2])
            }
        }
        stepStart = now
        self.step = step
    }

    /// Arms the watchdog for one collective at the current step.
    package func arm(what: String) {
        condition.lock()
        armLocked(step: step, what: what)
    }

    /// Arms the watchdog for one collective at `step`.
    package func arm(step: Int, what: String) {
        condition.lock()
        armLocked(step: step, what: what)
    }

    /// Disarms after the collective returned.
    package func disarm() {
        condition.lock()
        armed = nil
        condition.unlock()
    }

    /// Stops the watchdog thread (before `MPI_Finalize`).
    func stop() {
        condition.lock()
        stopped = true
        armed = nil
        condition.signal()
        condition.unlock()
    }

    /// Called with the lock held; releases it.
    private func armLocked(step: Int, what: String) {
        sequence += 1
        let now = ProcessInfo.processInfo.systemUptime
        armed = (sequence, step, what, now, now + timeout)
        condition.unlock()
    }

    /// Every poll interval: tells the peers how far this rank got, and checks the armed collective's
    /// deadline. Arming and disarming only set state under the lock; they never wake this thread nor
    /// send a message: with a rank's threads bound to one core, two wake-ups and an arrival message
    /// per collective cost more than a small allreduce. A stall is caught within one interval of its
    /// deadline; peers learn of an arrival within one interval.
    private func watch() {
        condition.lock()
        while !stopped {
            if let arrivals, sequence != published {
                published = sequence
                arrivals.announce(sequence)
            }
            let now = ProcessInfo.processInfo.systemUptime
            if let current = armed, now >= current.deadline {
                condition.unlock()
                report(current)
                condition.lock()
                continue
            }
            _ = condition.wait(until: Date(timeIntervalSinceNow: pollIntervalLocked()))
        }
        condition.unlock()
    }

    /// A twentieth of the timeout, between 50 ms and 1 s.
    private func pollIntervalLocked() -> Double {
        min(1, max(0.05, timeout / 20))
    }

    /// Whether the collective `sequence` is still waiting.
    private func stillStalled(_ sequence: Int64) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return armed?.sequence == sequence
    }

    /// Prints the stall and aborts, unless the collective finished meanwhile. Waits two poll
    /// intervals first, so that the arrivals of peers that reached the collective are in.
    private func report(_ stall: (sequence: Int64, step: Int, what: String, since: Double, deadline: Double)) {
        condition.lock()
        let settle = 2 * pollIntervalLocked()
        condition.unlock()
        Thread.sleep(forTimeInterval: settle)
        guard stillStalled(stall.sequence) else { return }
        var missing = arrivals?.missing(at: stall.sequence) ?? (ranks: [], complete: false)
        if arrivals != nil && !missing.complete && missing.ranks.isEmpty {
            // Rank 0 arrived and sees every rank: give it time to report first.
            Thread.sleep(forTimeInterval: 5)
            guard stillStalled(stall.sequence) else { return }
            missing = arrivals?.missing(at: stall.sequence) ?? missing
        }
        let waited = ProcessInfo.processInfo.systemUptime - stall.since
        let who: String
        if arrivals == nil {
            who = "unknown (arrival tracking needs MPI_THREAD_MULTIPLE)"
        } else if missing.ranks.isEmpty {
            who = missing.complete ? "none (all arrived; the collective itself is stuck)" : "unknown to this rank (rank 0 arrived)"
        } else {
            who = missing.ranks.map { "rank \($0)" }.joined(separator: ", ")
        }
        let line = "cohort: rank \(rank): stall at step \(stall.step) in \(stall.what) after "
            + String(format: "%.1f", waited) + " s; ranks that did not arrive: \(who); aborting the job\n"
        FileHandle.standardError.write(Data(line.utf8))
        abortJob(StallWatchdog.exitStatus)
    }
}
