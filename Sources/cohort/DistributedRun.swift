import ArgumentParser
import CohortCore
import CohortDistributed
import Foundation

/// Starts the process group for a command, sizes the thread pools, and turns any error into a
/// message naming the rank followed by a job-wide abort, so no rank is left blocked (an
/// `AgreedError`, thrown by every rank together, is reported once by rank 0 and needs no abort).
enum DistributedRun {
    /// Runs `body` with a communicator (MPI when started by a launcher, otherwise a single process).
    static func run(stallTimeout: Double?, threads: Int?, _ body: (any Communicator, Int) throws -> Int32) throws {
        let communicator: any Communicator
        do {
            communicator = try LaunchEnvironment.makeCommunicator(stallTimeout: stallTimeout)
        } catch {
            printError("cohort: error: \(error)")
            throw ExitCode(1)
        }
        let threadCount = ThreadPlan.threadsForThisProcess(localSize: communicator.localSize, override: threads)
        Gemm.setThreads(1)   // every parallel loop is the rank's own (ThreadSplit), GEMMs included
        let status: Int32
        do {
            status = try body(communicator, threadCount)
        } catch let error as any AgreedError {
            if communicator.rank == 0 { printError("cohort: error: \(error)") }
            try? communicator.finalize()
            throw ExitCode(1)
        } catch {
            let who = communicator.size > 1 ? "rank \(communicator.rank): " : ""
            printError("cohort: \(who)error: \(error)")
            if communicator.size > 1 { communicator.abort(code: 1) }
            throw ExitCode(1)
        }
        try? communicator.finalize()
        if status != 0 { throw ExitCode(status) }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
