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

func allocateSlot(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
    let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(count, 1))
    buffer.initialize(repeating: 0)
    return buffer
}
