import Foundation

/// Where a rank's step time goes, summed over the steps measured.
public struct StepTimings: Sendable {
    public var steps = 0
    public var images = 0
    public var dataWait = 0.0
    public var forward = 0.0
    public var backward = 0.0
    public var communicationWait = 0.0
    public var optimizer = 0.0

    public var total: Double { dataWait + forward + backward + communicationWait + optimizer }

    /// Monotonic seconds.
    static func now() -> Double { ProcessInfo.processInfo.systemUptime }
}
