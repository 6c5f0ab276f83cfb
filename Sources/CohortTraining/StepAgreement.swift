import CohortDistributed

/// What every rank must agree on after a step's backward pass: a sum over ranks of one flag each is
/// non-zero when any rank raised it.
struct StepAgreement: RankSum {
    /// Some rank received SIGTERM/SIGUSR1.
    var stopRequested: Bool
    /// Some rank saw a non-finite loss.
    var nonFinite: Bool
    /// Some rank could not load a sample of this step's batch.
    var dataError: Bool

    init(stopRequested: Bool, nonFinite: Bool, dataError: Bool) {
        self.stopRequested = stopRequested
        self.nonFinite = nonFinite
        self.dataError = dataError
    }

    var summands: [Double] { [stopRequested ? 1 : 0, nonFinite ? 1 : 0, dataError ? 1 : 0] }

    init(summands: [Double]) { self.init(stopRequested: summands[0] > 0, nonFinite: summands[1] > 0, dataError: summands[2] > 0) }
}
