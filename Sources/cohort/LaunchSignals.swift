import Foundation
import Synchronization

/// Set when `cohort launch` receives SIGTERM or SIGUSR1; read and written by the signal handler.
private let stopFlag = Atomic<Bool>(false)
/// The PID of the running job (mpirun or srun), 0 between attempts.
private let jobPID = Atomic<Int32>(0)

/// SIGTERM/SIGUSR1 to `cohort launch` (Slurm pre-emption through the sbatch script, or a user)
/// stops the launch: the signal goes on to the running job as SIGUSR1 — mpirun and srun pass it to
/// every rank, which stop at the next step with a checkpoint and exit 75 (mpirun would turn a
/// SIGTERM into a job kill with status 1) — and no further attempt starts.
enum LaunchSignals {
    /// Installs the handlers (they only store a flag and call `kill`, both async-signal-safe) and
    /// unblocks both signals, which a parent may have left blocked (the mask survives exec, and the
    /// jobs the launcher starts inherit it).
    static func install() {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signalNumber in [SIGTERM, SIGUSR1] { sigaddset(&signals, signalNumber) }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        for signalNumber in [SIGTERM, SIGUSR1] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in
                stopFlag.store(true, ordering: .relaxed)
                let pid = jobPID.load(ordering: .relaxed)
                if pid > 0 { kill(pid, SIGUSR1) }
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signalNumber, &action, nil)
        }
    }

    /// True once a stop signal arrived.
    static var stopRequested: Bool { stopFlag.load(ordering: .relaxed) }

    /// Records the running job (nil when none); a stop that arrived while it was starting is passed on now.
    static func setJob(_ pid: pid_t?) {
        jobPID.store(pid ?? 0, ordering: .relaxed)
        if let pid, stopRequested { kill(pid, SIGUSR1) }
    }
}
