import Foundation
import Synchronization

/// Set by SIGTERM/SIGUSR1; the only global mutable state in Cohort. A lock-free atomic store is async-signal-safe.
private let stopFlag = Atomic<Bool>(false)

/// Graceful stop on SIGTERM or SIGUSR1 (Slurm pre-emption: `--signal=USR1@120`).
///
/// The handler only sets a flag. At each step boundary the loop calls `agreeToStop(_:communicator:)`
/// with `StopSignal.requested`; if any rank was signalled, all ranks stop at that same step, rank 0
/// writes a checkpoint, every rank finalises and exits with `StopSignal.exitStatus`.
package final class StopSignal {
    /// Exit status of a run stopped by a signal at a step boundary (EX_TEMPFAIL: "requeue me").
    package static let exitStatus: Int32 = 75

    /// Installs the SIGTERM and SIGUSR1 handlers.
    package static func install() {
        for signalNumber in [SIGTERM, SIGUSR1] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in stopFlag.store(true, ordering: .relaxed) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signalNumber, &action, nil)
        }
    }

    /// True once SIGTERM or SIGUSR1 arrived on this rank.
    package static var requested: Bool { stopFlag.load(ordering: .relaxed) }
}

/// True on every rank if `local` is true on any rank (one Int64 allreduce); call at a step boundary.
package func agreeToStop(_ local: Bool, communicator: any Communicator) throws -> Bool {
    var votes: [Int64] = [local ? 1 : 0]
    try votes.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
    return votes[0] > 0
}
