import Foundation
import Synchronization

/// A command started in the launcher's own process group (so whoever kills that group kills it
/// too), its stdout and stderr copied to the launcher's as they arrive (when `forward`) and split
/// into lines for `onLine`.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    private let readers: [Thread]
    private let stopReading = ReadingStop()
    private let readersDone = DispatchGroup()
    /// The job's process tree at the last `poll()`, for killing what outlives the root.
    private(set) var lastTree: ProcessTree

    /// Starts `arguments` (the first looked up in PATH).
    init(_ arguments: [String], forward: Bool, onLine: @escaping @Sendable (String) -> Void) throws {
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw LaunchProcessError(command: arguments, reason: "pipe: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawnp(&child, arguments[0], &actions, nil, &argv, environ)
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw LaunchProcessError(command: arguments, reason: String(cString: strerror(rc)))
        }
        pid = child
        lastTree = ProcessTree(root: child)
        var threads: [Thread] = []
        for (source, target) in [(outPipe[0], Int32(1)), (errPipe[0], Int32(2))] {
            readersDone.enter()
            threads.append(Thread { [stopReading, readersDone] in
                Self.copy(from: source, to: forward ? target : nil, stop: stopReading, onLine: onLine)
                close(source)
                readersDone.leave()
            })
        }
        readers = threads
        readers.forEach { $0.start() }
    }

    /// The exit status once the process has ended (128 + N when killed by signal N), else nil.
    func poll() -> Int32? {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else {
            lastTree = lastTree.union(ProcessTree(root: pid))
            return nil
        }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Waits for the exit up to `timeout` seconds; nil if it is still running.
    func wait(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let status = poll() { return status }
            if Date() >= deadline { return nil }
            usleep(100_000)
        }
    }

    /// Ends the job: SIGTERM to the root, then after `grace` seconds SIGKILL to the whole tree
    /// (also the members that were re-parented when the root died). Returns the exit status.
    func terminate(grace: Double) -> Int32 {
        kill(pid, SIGTERM)
        if let status = wait(timeout: grace) {
            lastTree.signal(SIGKILL)
            return status
        }
        lastTree.union(ProcessTree(root: pid)).signal(SIGKILL)
        return wait(timeout: 10) ?? 128 + SIGKILL
    }

    /// Kills whatever of the job's last seen tree is still alive (after the root exited).
    func killLeftovers() {
        lastTree.signal(SIGKILL)
    }

    /// Waits up to `timeout` seconds for the output to end, then stops reading (a leftover process
    /// may hold the pipe open). Call after the process ended.
    func finishOutput(timeout: Double) {
        if readersDone.wait(timeout: .now() + timeout) == .timedOut {
            stopReading.flag.store(true, ordering: .relaxed)
            _ = readersDone.wait(timeout: .now() + 2)
        }
    }

    private static func copy(from source: Int32, to target: Int32?, stop: ReadingStop, onLine: (String) -> Void) {
        var pending = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var descriptor = pollfd(fd: source, events: Int16(POLLIN), revents: 0)
        while !stop.flag.load(ordering: .relaxed) {
            guard Glibc.poll(&descriptor, 1, 200) > 0 else { continue }
            let count = read(source, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            if let target { writeAll(buffer[0..<count], to: target) }
            pending.append(contentsOf: buffer[0..<count])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                onLine(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        if !pending.isEmpty { onLine(String(decoding: pending, as: UTF8.self)) }
    }

    private static func writeAll(_ bytes: ArraySlice<UInt8>, to fd: Int32) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}

/// Tells the output readers to give up on a pipe a leftover process still holds open.
private final class ReadingStop: Sendable {
    let flag = Atomic<Bool>(false)
}

/// A command the launcher could not start.
struct LaunchProcessError: Error, CustomStringConvertible {
    let command: [String]
    let reason: String
    var description: String { "cannot start \(command.first ?? "?"): \(reason)" }
}
