import Foundation

/// Runs the built `cohort` executable, alone or under `mpirun`, with a hard timeout so a hang
/// fails the test instead of blocking the suite.
package enum CommandRunner {
    package struct Outcome: CustomStringConvertible {
        package var status: Int32
        package var output: String
        package var seconds: Double
        package var timedOut: Bool
        package var description: String { "status \(status)\(timedOut ? " (timed out)" : "") after \(String(format: "%.1f", seconds))s:\n\(output)" }
    }

    /// The directory of the running test binary, where SwiftPM also puts `cohort`.
    package static var productsDirectory: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    package static var cohort: String { productsDirectory.appendingPathComponent("cohort").path }

    /// `mpirun` arguments that work as root and on a 2-core machine.
    package static func mpirun(_ np: Int, _ arguments: [String]) -> [String] {
        ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "\(np)", cohort] + arguments
    }

    /// Starts `arguments` (first = program, looked up in PATH), optionally acts on it once it has run
    /// for a while (`during`), and waits at most `timeout` seconds, killing the whole process group if needed.
    @discardableResult
    package static func run(_ arguments: [String], timeout: Double, environment: [String: String] = [:],
                           during: ((Process) -> Void)? = nil) throws -> Outcome {
        let process = Process()
        // Foundation starts the child as the leader of its own process group, so `kill(-pid)` reaches
        // mpirun and every rank it started (no `setsid`: it would fork and exit at once).
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let started = Date()
        try process.run()
        let collected = OutputCollector(output.fileHandleForReading)
        let deadline = Date().addingTimeInterval(timeout)
        let watcher = Thread {
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning { kill(-process.processIdentifier, SIGKILL) }
        }
        watcher.start()
        during?(process)
        // Not `waitUntilExit()`: Foundation sees a child's exit through a socket the child inherits,
        // so a daemon the child left behind would keep it waiting forever. Polling stops 10 s after
        // the deadline whatever happened.
        while process.isRunning && Date() < deadline.addingTimeInterval(10) { usleep(20_000) }
        let seconds = Date().timeIntervalSince(started)
        let status: Int32 = process.isRunning ? -1 : process.terminationStatus
        return Outcome(status: status, output: collected.finish(), seconds: seconds, timedOut: seconds >= timeout)
    }

    /// The text printed so far (for `during` callbacks that wait for a line).
    package static func waitFor(_ text: String, in file: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let content = try? String(contentsOfFile: file, encoding: .utf8), content.contains(text) { return true }
            usleep(100_000)
        }
        return false
    }

    /// PIDs of processes whose command line contains every string of `parts`.
    package static func pids(matching parts: [String]) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let line = String(decoding: raw.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return parts.allSatisfy { line.contains($0) }
        }
    }
}

/// Reads a pipe on a background thread so the child never blocks on a full pipe.
final class OutputCollector: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            while case let chunk = handle.availableData, !chunk.isEmpty {
                lock.lock(); data.append(chunk); lock.unlock()
            }
            done.signal()
        }.start()
    }

    func finish() -> String {
        _ = done.wait(timeout: .now() + 5)
        lock.lock(); defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

extension CommandRunner {
    /// The PID of MPI rank `rank` among processes whose command line contains `tag`.
    package static func rankPID(_ rank: Int, tag: String) -> Int32? {
        pids(matching: [cohort, tag]).first { pid in
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return raw.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == "OMPI_COMM_WORLD_RANK=\(rank)" }
        }
    }

    /// Waits until `path` exists.
    package static func waitForFile(_ path: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: path) { return true }
            usleep(50_000)
        }
        return false
    }
}
