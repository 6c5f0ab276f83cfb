#if canImport(Glibc)
import Glibc
#endif

/// A timeline of one rank's steps in Chrome's trace-event format (Perfetto and chrome://tracing
/// open it): every span is a complete event ("ph": "X") on the rank's process track (pid = rank)
/// and one of its thread tracks: the training thread, each worker thread of the rank's parallel
/// loops, and the communication thread. Recording is off unless `StepTrace.current` is set
/// (`--trace FILE`); then spans are appended under a lock, from any thread.
package final class StepTrace: @unchecked Sendable {
    /// The track of the thread that runs the step (and claims parts of its parallel loops too).
    package static let trainingThread = 0
    /// The track of the gradient allreduce's communication thread.
    package static let communicationThread = 1000
    /// Spans kept at most: a trace is for a few steps; a long run keeps its first ones.
    package static let maximumEvents = 500_000
    /// The recorder in use, if tracing.
    nonisolated(unsafe) package static var current: StepTrace?

    private let pid: Int
    private let origin: Double
    private var lock = pthread_mutex_t()
    private var events: [String] = []
    private var threadNames: [Int: String] = [:]

    /// A recorder for rank `rank` whose timestamps count from now.
    package init(rank: Int) {
        pid = rank
        origin = Self.now()
        pthread_mutex_init(&lock, nil)
        nameThread(Self.trainingThread, "training")
        nameThread(Self.communicationThread, "communication")
    }

    deinit { pthread_mutex_destroy(&lock) }

    /// Seconds on a monotonic clock.
    package static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Records `name` (of kind `category`) on track `thread` from `start` to `end` (`now()` seconds).
    package func span(_ name: String, category: String, thread: Int, start: Double, end: Double) {
        let ts = (start - origin) * 1e6, duration = max(0, end - start) * 1e6
        let event = "{\"name\":\(Self.quoted(name)),\"cat\":\"\(category)\",\"ph\":\"X\",\"pid\":\(pid),\"tid\":\(thread),"
            + "\"ts\":\(Self.microseconds(ts)),\"dur\":\(Self.microseconds(duration))}"
        pthread_mutex_lock(&lock)
        if events.count < Self.maximumEvents { events.append(event) }
        if thread != Self.trainingThread && thread != Self.communicationThread && threadNames[thread] == nil {
            threadNames[thread] = "worker \(thread)"
        }
        pthread_mutex_unlock(&lock)
    }

    /// Runs `body`, recorded as a span on `thread` when tracing.
    @discardableResult
    package static func measure<T>(_ name: @autoclosure () -> String, category: String, thread: Int = trainingThread,
                                   _ body: () throws -> T) rethrows -> T {
        guard let trace = current else { return try body() }
        let start = now()
        defer { trace.span(name(), category: category, thread: thread, start: start, end: now()) }
        return try body()
    }

    private func nameThread(_ thread: Int, _ name: String) { threadNames[thread] = name }

    /// This rank's events and track names, comma-separated JSON objects (to join with other ranks').
    package func eventsJSON() -> String {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        let names = threadNames.sorted { $0.key < $1.key }.map {
            "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":\(pid),\"tid\":\($0.key),\"args\":{\"name\":\(Self.quoted($0.value))}}"
        }
        let process = "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":\(pid),\"args\":{\"name\":\"rank \(pid)\"}}"
        return ([process] + names + events).joined(separator: ",\n")
    }

    /// A whole trace file from the ranks' `eventsJSON()`.
    package static func document(ranks: [String]) -> String {
        "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n" + ranks.filter { !$0.isEmpty }.joined(separator: ",\n") + "\n]}\n"
    }

    private static func microseconds(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    private static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20: result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
