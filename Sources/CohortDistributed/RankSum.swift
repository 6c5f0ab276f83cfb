/// A group of named numbers that all ranks sum in one allreduce. It flattens to `[Double]` in a
/// fixed field order and is rebuilt from the sums, so code reads `totals.correct`, never an index
/// into an anonymous array.
package protocol RankSum {
    /// The fields, in the order `init(summands:)` reads them back.
    var summands: [Double] { get }
    /// The value whose fields are `summands` (the element-wise sums over ranks).
    init(summands: [Double])
}

extension Communicator {
    /// `value` with every field summed over all ranks (one allreduce).
    package func sum<Value: RankSum>(_ value: Value) throws -> Value {
        var summands = value.summands
        try summands.withUnsafeMutableBufferPointer { try allreduceSum($0) }
        return Value(summands: summands)
    }
}
