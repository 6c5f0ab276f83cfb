/// How one attempt of a launch ended, decided by `AttemptClassifier`.
package enum AttemptOutcome: Equatable, Sendable {
    /// Training finished (exit status 0).
    case completed
    /// A rank or host failed: relaunch without `failedHosts` (empty when the output names none).
    case fault(failedHosts: [String], cause: String)
    /// The run itself is wrong (a bad flag, bad data, a missing file): never retried.
    case userError(cause: String)
    /// Stopped by SIGTERM/SIGUSR1 (pre-emption, status 75): never retried, the status is passed on.
    case signalled(cause: String)

    /// The `outcome` value of the attempt's `launch.jsonl` record.
    package var name: String {
        switch self {
        case .completed: "completed"
        case .fault: "fault"
        case .userError: "user-error"
        case .signalled: "signalled"
        }
    }

    /// One line saying why the attempt ended; empty when it completed.
    package var cause: String {
        switch self {
        case .completed: ""
        case .fault(_, let cause), .userError(let cause), .signalled(let cause): cause
        }
    }

    /// The hosts to exclude from the next attempt.
    package var failedHosts: [String] {
        if case .fault(let hosts, _) = self { hosts } else { [] }
    }
}
