import ArgumentParser
import CohortTraining

/// The closed sets of values some flags take: ArgumentParser checks them, lists them in `--help`
/// and names the flag when a value is not one of them.

extension TrainingConfiguration.OptimizerKind: ExpressibleByArgument {}

/// `cohort train --schedule`.
enum ScheduleName: String, CaseIterable, ExpressibleByArgument {
    case constant, step, cosine, plateau
}

/// `cohort evaluate --split`.
enum SplitName: String, CaseIterable, ExpressibleByArgument {
    case test, val, train
}
