import Foundation

/// A job of one rank: every collective is the identity. MPI is never initialised, so this is what
/// runs when Cohort is started without a launcher, and what in-process unit tests use.
public final class SingleProcessCommunicator: Communicator {
    public let rank = 0
    public let size = 1
    public let localRank = 0
    public let localSize = 1
    public let watchdog: StallWatchdog? = nil

    public init() {}

    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {}
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {}
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Int64>) throws {}

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard root == 0 else {
            throw DistributedError(rank: 0, call: "broadcast", message: "root \(root) out of range for 1 rank")
        }
    }

    public func allgather(_ bytes: [UInt8]) throws -> [[UInt8]] { [bytes] }
    public func barrier() throws {}

    public func abort(code: Int32) -> Never {
        fflush(nil)
        exit(code)
    }

    public func finalize() throws {}
}
