import CohortDistributed
import Foundation

/// Unbuffered writes to standard output, so progress lines and command output keep their order
/// even when stdout is a pipe (CI, Slurm logs, mpirun).
package enum Console {
    package static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    package static func line(_ text: String) { write(text + "\n") }

    /// Whether a live progress bar makes sense: a terminal that is not "dumb", outside CI.
    /// Under a launcher, a rank's stdout is a pseudo-terminal that OpenMPI opens whatever the user's
    /// output is, so there the launching process's own stdout decides (a pipe or a file: no bar).
    package static var isInteractive: Bool {
        let environment = ProcessInfo.processInfo.environment
        guard isatty(STDOUT_FILENO) != 0, environment["CI"] == nil else { return false }
        guard environment["TERM"].map({ !$0.isEmpty && $0 != "dumb" }) ?? false else { return false }
        return !LaunchEnvironment.detect(environment).launched || launcherWritesToTerminal
    }

    /// Whether the parent process (mpirun or the node daemon) has a terminal as its stdout.
    private static var launcherWritesToTerminal: Bool {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(getppid())/fd/1") else { return false }
        return target.hasPrefix("/dev/pts/") || target.hasPrefix("/dev/tty")
    }
}
