import Foundation

/// One `mpirun … cohort comm-check …` job started from a test, with its merged output collected live.
///
/// The output pipe is read on a dedicated thread from the start (so a full pipe never blocks the
/// job). Every wait has a hard limit; on expiry the job's rank processes (whose pids comm-check
/// prints) and mpirun are killed, so a hang fails the test instead of blocking CI.
final class MPIJob: @unchecked Sendable {
    static var cohortExecutable: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("cohort").path
    }

    private let process = Process()
    private let condition = NSCondition()
    private var collected = Data()
    private var readerFinished = false

    /// Starts `mpirun --allow-run-as-root <mpirunArguments>`; use `MPIJob.cohortExecutable` for the program.
    init(_ mpirunArguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mpirun")
        process.arguments = ["--allow-run-as-root"] + mpirunArguments
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let reader = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let chunk = reader.availableData
                condition.lock()
                if chunk.isEmpty { readerFinished = true } else { collected.append(chunk) }
                condition.broadcast()
                condition.unlock()
                if chunk.isEmpty { return }
            }
        }
    }

    /// Everything the job printed so far (stdout and stderr of all ranks and mpirun).
    var output: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: collected, as: UTF8.self)
    }

    /// Waits until the output contains `text`; false after `timeout` seconds or if the job ended first.
    func waitFor(_ text: String, timeout: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while !String(decoding: collected, as: UTF8.self).contains(text) {
            if readerFinished || !condition.wait(until: deadline) { return false }
        }
        return true
    }

    /// The pid comm-check printed for `rank` (`rank R pid P …`).
    func pid(ofRank rank: Int) -> pid_t? {
        for line in output.split(separator: "\n") where line.hasPrefix("rank \(rank) pid ") {
            return pid_t(line.split(separator: " ")[3])
        }
        return nil
    }

    /// Waits for the job to end and its output to close; returns its exit status, or nil after
    /// `timeout` seconds, in which case every process of the job has been killed.
    func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        guard !process.isRunning else {
            killAll()
            return nil
        }
        condition.lock()
        while !readerFinished && condition.wait(until: Date(timeIntervalSinceNow: 5)) {}
        condition.unlock()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGKILLs every rank comm-check reported and mpirun itself (SIGCONT first, for stopped ranks).
    func killAll() {
        for rank in 0..<64 {
            guard let pid = pid(ofRank: rank) else { break }
            kill(pid, SIGCONT)
            kill(pid, SIGKILL)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
