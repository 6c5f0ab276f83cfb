import ArgumentParser
import CohortCore

/// The `cohort` executable: data-parallel CNN training on CPUs.
@main
struct CohortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cohort",
        abstract: "Data-parallel training of convolutional networks on CPU clusters.",
        subcommands: [TrainCommand.self, LaunchCommand.self, StatusCommand.self, EvaluateCommand.self, PredictCommand.self, ExportCommand.self, SummaryCommand.self,
                      ModelsCommand.self, ConvertCommand.self, PackCommand.self, BenchCommand.self, BenchLoaderCommand.self, BenchAllreduceCommand.self,
                      CommCheckCommand.self]
    )

    static func main() {
        LoadTimeSettings.applyByReexecuting()
        main(nil)
    }
}
