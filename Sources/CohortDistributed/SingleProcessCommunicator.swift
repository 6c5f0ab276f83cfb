import Foundation

/// A job of one rank: every collective is the identity. MPI is never initialised, so this is what
/// runs when Cohort is started without a launcher, and what in-process unit tests use.
package final class SingleProcessCommunicator: Communicator {
    package let rank = 0
    package let size = 1
    package let localRank = 0
    package let localSize = 1
    package let watchdog: StallWatchdog? = nil

    package init() {}

    package func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {}
    package func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {}
    package func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Int64>) throws {}
    package func allreduceSum(_ buffer: UnsafeMutableBufferPointer<UInt16>, format: HalfPrecision) throws {}

    package func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard root == 0 else {
            throw DistributedError(rank: 0, call: "broadcast", message: "root \(root) out of range for 1 rank")
        }
    }

    package func allgather(_ bytes: [UInt8]) throws -> [[UInt8]] { [bytes] }
    package func barrier() throws {}

    package func abort(code: Int32) -> Never {
        fflush(nil)
        exit(code)
    }

    package func finalize() throws {}
}
