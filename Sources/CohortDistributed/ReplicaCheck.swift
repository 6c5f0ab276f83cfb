import CohortRandom
/// Proves that every rank holds bitwise-identical values (parameters at epoch end).
package enum ReplicaCheck {
    /// Allgathers a checksum of the values' bit patterns; throws a `DistributedError` naming the
    /// ranks whose checksum differs from rank 0's.
    package static func verify(_ values: UnsafeBufferPointer<Float>, communicator: any Communicator) throws {
        var sum = checksum(values)
        let sums = try communicator.allgather(withUnsafeBytes(of: &sum) { Array($0) })
        let differing = (0..<sums.count).filter { sums[$0] != sums[0] }
        guard !differing.isEmpty else { return }
        let ranksText = differing.map(String.init).joined(separator: ", ")
        throw DistributedError(rank: communicator.rank, call: "ReplicaCheck",
                               message: "replicas diverged: ranks \(ranksText) hold parameters different from rank 0",
                               ranks: differing)
    }

    /// FNV-1a over the raw bytes: any bit difference (including -0 vs 0 and NaN payloads) changes it.
    package static func checksum(_ values: UnsafeBufferPointer<Float>) -> UInt64 {
        fnv1a(UnsafeRawBufferPointer(values))
    }
}
