/// How long at least two of the rank's threads were busy at once, summed over the parallel loops
/// run while `isMeasuring` (set by `cohort bench` around its timed steps, from the training
/// thread only). The rest of a step's time is serial: one thread works, the others wait.
package enum ParallelActivity {
    nonisolated(unsafe) package static var isMeasuring = false
    nonisolated(unsafe) package private(set) static var overlappedSeconds = 0.0

    /// Starts measuring from zero.
    package static func start() {
        overlappedSeconds = 0
        isMeasuring = true
    }

    /// Stops measuring and returns the overlapped seconds since `start()`.
    package static func stop() -> Double {
        isMeasuring = false
        return overlappedSeconds
    }

    /// Adds the time during which two or more of the threads' busy (start, end) spans overlap (a
    /// thread's own spans never overlap; a span with an infinite start is empty).
    static func add(_ threads: UnsafeMutableBufferPointer<(start: Double, end: Double)>) {
        withUnsafeTemporaryAllocation(of: (time: Double, change: Int).self, capacity: 2 * threads.count) { buffer in
            var count = 0
            for busy in threads where busy.start.isFinite {
                buffer[count] = (busy.start, 1)
                buffer[count + 1] = (busy.end, -1)
                count += 2
            }
            var edges = UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
            edges.sort { $0.time < $1.time || ($0.time == $1.time && $0.change < $1.change) }
            var busy = 0, previous = edges.first?.time ?? 0
            for edge in edges {
                if busy >= 2 { overlappedSeconds += edge.time - previous }
                busy += edge.change
                previous = edge.time
            }
        }
    }
}
