import ArgumentParser
import CohortDistributed
import CohortTrace
import CohortTraining
import Foundation

/// `--trace FILE`: every rank records its step timeline (`StepTrace`); at the end rank 0 gathers
/// them and writes one Chrome trace-event JSON with a process track per rank.
enum TraceFile {
    /// Starts recording on this rank when a path is given.
    static func start(_ path: String?, rank: Int) {
        if path != nil { StepTrace.current = StepTrace(rank: rank) }
    }

    /// Stops recording and, on rank 0, writes `path` with every rank's events. A collective.
    static func finish(_ path: String?, communicator: any Communicator) throws {
        guard let path, let trace = StepTrace.current else { return }
        StepTrace.current = nil
        let ranks = try communicator.allgather(Array(trace.eventsJSON().utf8)).map { String(decoding: $0, as: UTF8.self) }
        guard communicator.rank == 0 else { return }
        do {
            try Data(StepTrace.document(ranks: ranks).utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("--trace: cannot write '\(path)': \(error.localizedDescription)")
        }
        Console.line("trace: \(path) (\(ranks.count) rank(s); open in Perfetto or chrome://tracing)")
    }
}
