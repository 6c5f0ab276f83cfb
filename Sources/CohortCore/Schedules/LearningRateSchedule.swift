#if canImport(Glibc)
import Glibc
#endif

/// The learning rate as a function of training progress, with optional linear warmup
/// (Goyal et al. 2017: from base/warmup-steps up to base over the first warmup epochs, per step).
package struct LearningRateSchedule: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        /// base throughout.
        case constant
        /// base · gamma^⌊epoch / every⌋.
        case step(every: Int, gamma: Double)
        /// `rates[i]` from epoch `boundaries[i-1]` on (rates has one more entry than boundaries);
        /// e.g. LeNet-5: boundaries [3, 6, 10], rates [5e-4, 2e-4, 5e-5, 1e-5].
        case piecewise(boundaries: [Int], rates: [Double])
        /// Cosine decay from base to `minimum` over `epochs` (per step).
        case cosine(epochs: Int, minimum: Double)
        /// Polynomial decay base · (1 − t)^power over `epochs` after warmup (per step), as LARS uses.
        case poly(epochs: Int, power: Double)
    }

    package var base: Double
    package var kind: Kind
    package var warmupEpochs: Double

    package init(base: Double, kind: Kind = .constant, warmupEpochs: Double = 0) {
        self.base = base
        self.kind = kind
        self.warmupEpochs = warmupEpochs
    }

    /// The rate at `epoch` (0-based) and `step` of `stepsPerEpoch` within it.
    package func rate(epoch: Int, step: Int = 0, stepsPerEpoch: Int = 1) -> Double {
        let progress = Double(epoch) + Double(step) / Double(max(stepsPerEpoch, 1))
        if warmupEpochs > 0 && progress < warmupEpochs {
            return scheduled(epoch: epoch, progress: warmupEpochs) * (progress + 1 / Double(max(stepsPerEpoch, 1))) / warmupEpochs
        }
        return scheduled(epoch: epoch, progress: progress)
    }

    /// How far past warmup `progress` is, as a fraction of the decay phase that ends at `epochs`.
    private func decayProgress(_ progress: Double, epochs: Int) -> Double {
        min(max((progress - warmupEpochs) / max(Double(epochs) - warmupEpochs, 1e-9), 0), 1)
    }

    private func scheduled(epoch: Int, progress: Double) -> Double {
        switch kind {
        case .constant:
            return base
        case let .step(every, gamma):
            return base * pow(gamma, Double(epoch / max(every, 1)))
        case let .piecewise(boundaries, rates):
            let index = boundaries.firstIndex { epoch < $0 } ?? boundaries.count
            return rates[min(index, rates.count - 1)]
        case let .cosine(epochs, minimum):
            return minimum + (base - minimum) * 0.5 * (1 + cos(Double.pi * decayProgress(progress, epochs: epochs)))
        case let .poly(epochs, power):
            return base * pow(1 - decayProgress(progress, epochs: epochs), power)
        }
    }
}
