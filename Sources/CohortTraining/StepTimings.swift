import CohortTrace

/// Where a rank's step time goes, summed over the steps measured.
package struct StepTimings: Sendable {
    package var steps = 0
    package var images = 0
    package var dataWait = 0.0
    package var forward = 0.0
    package var backward = 0.0
    package var communicationWait = 0.0
    package var optimizer = 0.0

    package var total: Double { dataWait + forward + backward + communicationWait + optimizer }

    /// Monotonic seconds, on the clock the step trace uses.
    static func now() -> Double { StepTrace.now() }
}
