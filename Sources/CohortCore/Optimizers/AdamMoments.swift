#if canImport(Glibc)
import Glibc
#endif

/// Adam's moment slots — m (first moment) and v (second moment), each the arena's size — and their
/// bias corrections; shared by `Adam` and `LAMB`.
final class AdamMoments {
    let first: UnsafeMutableBufferPointer<Float>
    let second: UnsafeMutableBufferPointer<Float>
    private let count: Int

    init(count: Int) {
        self.count = count
        first = allocateSlot(count)
        second = allocateSlot(count)
    }

    deinit {
        first.deallocate()
        second.deallocate()
    }

    /// The checkpoint slots `m` and `v`.
    var slots: [(name: String, values: UnsafeMutableBufferPointer<Float>)] {
        [("m", UnsafeMutableBufferPointer(rebasing: first[0..<count])), ("v", UnsafeMutableBufferPointer(rebasing: second[0..<count]))]
    }

    /// 1 − β₁ᵗ and 1 − β₂ᵗ after `step` updates.
    static func corrections(beta1: Float, beta2: Float, step: Int) -> (Float, Float) {
        (Float(1 - pow(Double(beta1), Double(step))), Float(1 - pow(Double(beta2), Double(step))))
    }
}
