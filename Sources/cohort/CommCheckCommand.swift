import ArgumentParser
import CohortDistributed
import Foundation

/// Hidden self-test of the distributed engine, run under `mpirun` by CohortDistributedTests.
///
/// Prints one checkable line per result, each starting `rank R`:
/// `pid P size S localSize L yieldWhenIdle true|false|unknown`, `agreement ok`, `allreduce n=N bucketKB=B ok`, `checksum n=N bucketKB=B HEX`,
/// `allreduce-double ok`, `allreduce-int64 ok`, `broadcast ok`, `allgather ok`, `replica ok`,
/// `step K`, `stopping at step K` (then exit status `StopSignal.exitStatus`), `done`.
/// Any failure prints `rank R error: …` and aborts the job with status 1.
struct CommCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comm-check",
        abstract: "Exercise Cohort's collectives under mpirun and print checkable lines.",
        shouldDisplay: false
    )

    @Option(help: "Comma-separated arena sizes (Floats) for the bucketed allreduce.")
    var sizes: String = "1,7,1000,100003,1000000"

    @Option(help: "Comma-separated bucket sizes in KB.")
    var bucketKB: String = "1,64,25600"

    @Option(help: "A configuration field name=value for rank agreement (repeatable).")
    var field: [String] = []

    @Flag(inversion: .prefixedNo, help: "Run the collective checks.")
    var collectives = true

    @Option(help: "Training-like steps to run after the checks.")
    var steps: Int = 0

    @Option(help: "Milliseconds to sleep after each step.")
    var sleepMs: Int = 0

    @Option(help: "Stall timeout in seconds (default: adaptive).")
    var stallTimeout: Double?

    func run() throws {
        StopSignal.install()
        let communicator = try LaunchEnvironment.makeCommunicator(stallTimeout: stallTimeout)
        let rank = communicator.rank
        func say(_ text: String) { FileHandle.standardOutput.write(Data("rank \(rank) \(text)\n".utf8)) }
        let yields = (communicator as? MPICommunicator)?.yieldsWhenIdle.map(String.init) ?? "unknown"
        say("pid \(getpid()) size \(communicator.size) localSize \(communicator.localSize) yieldWhenIdle \(yields)")
        do {
            let fields = field.map { entry -> (name: String, value: String) in
                let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }
            try RankAgreement.verify(fields: [("check", "comm-check")] + fields, communicator: communicator)
            say("agreement ok")
            if collectives {
                try CollectiveChecks(communicator: communicator, say: say).runAll(
                    sizes: sizes.split(separator: ",").compactMap { Int($0) },
                    bucketKB: bucketKB.split(separator: ",").compactMap { Int($0) })
            }
            try runSteps(communicator, say: say)
            say("done")
            try communicator.finalize()
        } catch {
            FileHandle.standardError.write(Data("rank \(rank) error: \(error)\n".utf8))
            communicator.abort(code: 1)
        }
    }

    private func runSteps(_ communicator: any Communicator, say: (String) -> Void) throws {
        guard steps > 0 else { return }
        var buffer = [Float](repeating: 1, count: 1000)
        for step in 1...steps {
            communicator.watchdog?.stepBegan(step)
            if try agreeToStop(StopSignal.requested, communicator: communicator) {
                say("stopping at step \(step)")
                try communicator.finalize()
                Foundation.exit(StopSignal.exitStatus)
            }
            try buffer.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
            say("step \(step)")
            if sleepMs > 0 { usleep(UInt32(sleepMs) * 1000) }
        }
    }
}
