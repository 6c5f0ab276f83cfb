/// The collectives Cohort needs from a process group.
///
/// Ordering contract: every rank must issue the same collectives in the same order, and a
/// communicator runs one collective at a time. Between `GradientReducer.beginStep()` and
/// `finishStep()` the reducer's communication thread owns the communicator; outside a step the
/// caller (the training loop) does. `MPICommunicator` documents the MPI threading model.
package protocol Communicator: AnyObject, Sendable {
    /// This process's rank in `0..<size`.
    var rank: Int { get }
    /// Number of ranks in the job.
    var size: Int { get }
    /// This process's rank among the ranks on the same node.
    var localRank: Int { get }
    /// Number of ranks on this node.
    var localSize: Int { get }
    /// The watchdog armed around every collective, if any.
    var watchdog: StallWatchdog? { get }

    /// In-place element-wise sum over all ranks.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    /// In-place element-wise sum over all ranks.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws
    /// In-place element-wise sum over all ranks.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Int64>) throws
    /// In-place element-wise sum over all ranks of 16-bit floats in `format`, each pairwise
    /// combine in float32, rounded back.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<UInt16>, format: HalfPrecision) throws
    /// Replaces `buffer` on every rank with its contents on `root`. All ranks pass the same byte count.
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws
    /// Every rank contributes `bytes` (lengths may differ); returns all contributions indexed by rank.
    func allgather(_ bytes: [UInt8]) throws -> [[UInt8]]
    /// Blocks until every rank has arrived.
    func barrier() throws
    /// Ends every process of the job with `code` (MPI_Abort). Use after printing an error.
    func abort(code: Int32) -> Never
    /// Shuts communication down cleanly; call once on every rank before a normal exit.
    func finalize() throws
}

/// A failed collective or a cross-rank check that found ranks disagreeing.
package struct DistributedError: Error, CustomStringConvertible {
    /// The rank that raised the error.
    package let rank: Int
    /// The MPI call or Cohort check that failed, e.g. `MPI_Allreduce` or `RankAgreement`.
    package let call: String
    /// MPI's error string, or the check's explanation.
    package let message: String
    /// Ranks known to be at fault (differing or missing); empty when unknown.
    package let ranks: [Int]

    package init(rank: Int, call: String, message: String, ranks: [Int] = []) {
        self.rank = rank
        self.call = call
        self.message = message
        self.ranks = ranks
    }

    package var description: String { "rank \(rank): \(call) failed: \(message)" }
}
