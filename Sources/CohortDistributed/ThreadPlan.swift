/// How many threads (BLAS, data loading) each rank may use without oversubscribing the node.
package enum ThreadPlan {
    /// `override` (`--threads`) when given, else `cores / localSize`; always at least 1.
    package static func threadsPerRank(cores: Int, localSize: Int, override: Int?) -> Int {
        if let override { return max(1, override) }
        return max(1, cores / max(1, localSize))
    }
}
