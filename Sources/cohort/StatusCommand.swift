import ArgumentParser
import CohortTraining

/// `cohort status DIR`: where a run in a checkpoint directory stands, from its files alone (no MPI, any machine).
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show where a run stands: position, checkpoints, last metrics, launcher restarts, ETA.")

    @Argument(help: "The run's --checkpoint-dir.") var directory: String

    func run() throws {
        do {
            print(try RunStatus(directory: directory).report)
        } catch {
            DistributedRun.printError("cohort: error: \(error)")
            throw ExitCode(1)
        }
    }
}
