/// An update rule over a `ParameterArena`'s flat values and gradients.
///
/// State lives in named slots the size of the arena (`momentum`; `m`, `v`), in arena order, so it
/// checkpoints as `optimizer.<slot>.<parameter name>` and broadcasts like the parameters.
package protocol Optimizer: AnyObject {
    /// Name used in checkpoints and the configuration hash (`sgd`, `adam`, `adamw`).
    var kind: String { get }
    /// Named state buffers, each `arena.trainableCount` long.
    var slots: [(name: String, values: UnsafeMutableBufferPointer<Float>)] { get }
    /// Number of updates applied so far.
    var stepCount: Int { get set }
    /// Threads the update is split across; each element's update is independent of the split.
    var threads: Int { get set }
    /// Applies one update with the given learning rate, reading `arena.gradients`.
    func step(learningRate: Float)
}

/// Which arena elements get weight decay: weights always, biases and normalization parameters
/// unless exempted.
func decayMask(arena: ParameterArena, exemptBiases: Bool) -> [Bool] {
    var mask = [Bool](repeating: true, count: arena.trainableCount)
    guard exemptBiases else { return mask }
    for (_, p) in arena.trainable where p.role == .bias {
        for i in p.offset..<(p.offset + p.count) { mask[i] = false }
    }
    return mask
}

/// Elements per thread below which an update runs on one thread.
let updateMinimumPerThread = 65_536

/// Runs of consecutive trainable elements sharing a learning-rate scale (`Parameter.learningRateScale`):
/// a single run over the arena unless `--lr-head-multiplier` gives the classifier another scale.
func rateRuns(arena: ParameterArena) -> [(range: Range<Int>, scale: Float)] {
    var runs: [(range: Range<Int>, scale: Float)] = []
    for (_, p) in arena.trainable {
        let range = p.offset..<(p.offset + p.count)
        if let last = runs.last, last.scale == p.learningRateScale, last.range.upperBound == range.lowerBound {
            runs[runs.count - 1].range = last.range.lowerBound..<range.upperBound
        } else {
            runs.append((range, p.learningRateScale))
        }
    }
    return runs
}

/// Calls `body` with each run's elements, split across `threads`, and the run's scale.
func forEachRateRun(_ runs: [(range: Range<Int>, scale: Float)], threads: Int, _ body: (Range<Int>, Float) -> Void) {
    for run in runs {
        ThreadSplit.forEachRange(run.range.count, threads: threads, minimumPerThread: updateMinimumPerThread) { part in
            body((run.range.lowerBound + part.lowerBound)..<(run.range.lowerBound + part.upperBound), run.scale)
        }
    }
}

func allocateSlot(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
    let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(count, 1))
    buffer.initialize(repeating: 0)
    return buffer
}
