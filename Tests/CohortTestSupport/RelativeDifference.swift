/// How far apart two runs' weights, gradients or outputs are, for the "equal within float
/// rounding" contracts (layouts, threads, algorithms).
public enum RelativeDifference {
    /// The largest |a − b| over the largest |a|, in Double: every entry must agree.
    public static func maximum(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "\(a.count) against \(b.count) values")
        let scale = a.reduce(0.0) { max($0, Double(abs($1))) }
        return zip(a, b).reduce(0.0) { max($0, Double(abs($1.0 - $1.1))) } / max(scale, 1e-12)
    }

    /// ‖a − b‖ / ‖a‖ in Double. A norm rather than a maximum: an activation within rounding of a
    /// ReLU's or max-pool's kink may take the other branch on one side, which moves single entries
    /// by far more than rounding while the whole stays close.
    public static func norm(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "\(a.count) against \(b.count) values")
        let difference = zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
        let norm = a.reduce(0.0) { $0 + Double($1) * Double($1) }
        return (difference / max(norm, 1e-300)).squareRoot()
    }
}
