/// Reduce-on-plateau (Keras `ReduceLROnPlateau` semantics and defaults): when the monitored metric
/// (lower is better) has not improved by more than `minDelta` for `patience` epochs, multiply the
/// rate by `factor` (never below `minimum`), then wait `cooldown` epochs before counting again.
/// Its state is checkpointed so a resumed run decides the same.
package struct ReduceOnPlateau: Sendable, Equatable, Codable {
    package var factor: Double = 0.1
    package var patience: Int = 10
    package var minDelta: Double = 1e-4
    package var cooldown: Int = 0
    package var minimum: Double = 0

    /// Best metric so far (nil before the first epoch).
    package var best: Double?
    /// Epochs without improvement.
    package var wait: Int = 0
    /// Epochs of cooldown left.
    package var cooldownLeft: Int = 0
    /// Multiplier applied to the scheduled rate.
    package var scale: Double = 1

    package init(factor: Double = 0.1, patience: Int = 10, minDelta: Double = 1e-4, cooldown: Int = 0, minimum: Double = 0) {
        (self.factor, self.patience, self.minDelta, self.cooldown, self.minimum) = (factor, patience, minDelta, cooldown, minimum)
    }

    /// Records an epoch's metric; returns true when the rate was reduced. `base` is the current scheduled rate.
    package mutating func update(metric: Double, base: Double) -> Bool {
        if cooldownLeft > 0 { cooldownLeft -= 1; wait = 0 }
        if best.map({ metric < $0 - minDelta }) ?? true {
            best = metric
            wait = 0
            return false
        }
        guard cooldownLeft == 0 else { return false }
        wait += 1
        guard wait >= patience else { return false }
        let current = base * scale
        let reduced = max(current * factor, minimum)
        wait = 0
        guard current - reduced > 1e-12 else { return false }
        scale = reduced / base
        cooldownLeft = cooldown
        return true
    }
}
