import ArgumentParser
import CohortDistributed
import CohortTraining

/// The closed sets of values some flags take: ArgumentParser checks them, lists them in `--help`
/// and names the flag when a value is not one of them.

extension TrainingConfiguration.OptimizerKind: ExpressibleByArgument {}

/// `cohort train --schedule`.
enum ScheduleName: String, CaseIterable, ExpressibleByArgument {
    case constant, step, cosine, poly, plateau
}

/// `cohort train --lr-scaling`.
enum LearningRateScaling: String, CaseIterable, ExpressibleByArgument {
    /// --lr as given.
    case none
    /// Goyal et al.'s linear scaling rule: --lr × effective batch / --reference-batch.
    case linear
}

/// `--allreduce-dtype`: the width gradients travel at.
enum AllreduceDType: String, CaseIterable, ExpressibleByArgument {
    case fp32, bf16, fp16

    /// The 16-bit format, or nil for full width.
    var halfPrecision: HalfPrecision? { HalfPrecision(rawValue: rawValue) }
}

/// `cohort evaluate --split`.
enum SplitName: String, CaseIterable, ExpressibleByArgument {
    case test, val, train
}
