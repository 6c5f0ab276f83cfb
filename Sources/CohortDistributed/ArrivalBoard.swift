import CMPI
import Foundation

/// Tracks which ranks have reached which collective, so a stall can name the ranks that did not arrive.
///
/// Every armed collective has a sequence number, identical on all ranks because all ranks issue the
/// same collectives in the same order. The watchdog thread announces the latest one once per poll
/// interval when it changed: rank r ≠ 0 sends it to rank 0 and rank 0 sends its own to every other
/// rank (2·(W−1) eight-byte messages, on a duplicated communicator so they never match a collective). Rank 0 therefore knows every rank's
/// latest arrival; other ranks know rank 0's. All MPI calls here are serialised by a lock and run
/// concurrently with the world collective, which is why this needs `MPI_THREAD_MULTIPLE`.
final class ArrivalBoard: @unchecked Sendable {
    private static let tag: Int32 = 7201
    private let comm: MPIComm
    private let rank: Int
    private let size: Int
    private let lock = NSLock()
    /// Latest sequence number received from each rank (own entry updated on announce).
    private var latest: [Int64]
    /// In-flight sends and the heap cells they read from.
    private var pending: [(request: MPI_Request?, cell: UnsafeMutablePointer<Int64>)] = []

    init(world: MPIComm, rank: Int, size: Int) throws {
        var dup: MPI_Comm? = nil
        try MPICommunicator.check(MPI_Comm_dup(world.raw, &dup), "MPI_Comm_dup", rank: rank)
        MPI_Comm_set_errhandler(dup, cmpi_errors_return())
        comm = MPIComm(raw: dup!)
        self.rank = rank
        self.size = size
        latest = [Int64](repeating: 0, count: size)
    }

    deinit {
        for entry in pending { entry.cell.deallocate() }
    }

    /// Records that this rank has reached collective `sequence` and tells the peers.
    func announce(_ sequence: Int64) {
        lock.lock()
        defer { lock.unlock() }
        latest[rank] = sequence
        completeSends()
        let peers = rank == 0 ? Array(1..<max(size, 1)) : [0]
        for peer in peers {
            let cell = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
            cell.pointee = sequence
            var request: MPI_Request? = cmpi_request_null()
            MPI_Isend(cell, 1, cmpi_int64(), Int32(peer), ArrivalBoard.tag, comm.raw, &request)
            pending.append((request, cell))
        }
        drain()
    }

    /// Ranks known not to have reached collective `sequence`. Rank 0 knows all ranks; any other
    /// rank can only tell whether rank 0 arrived. Returns `(missing, complete)` where `complete`
    /// says whether the list covers every rank.
    func missing(at sequence: Int64) -> (ranks: [Int], complete: Bool) {
        lock.lock()
        defer { lock.unlock() }
        drain()
        let known = rank == 0 ? Array(0..<size) : [0]
        return (known.filter { latest[$0] < sequence }, rank == 0)
    }

    /// Receives every arrival message already delivered.
    private func drain() {
        while true {
            var flag: Int32 = 0
            var status = MPI_Status()
            guard MPI_Iprobe(cmpi_any_source(), ArrivalBoard.tag, comm.raw, &flag, &status) == MPI_SUCCESS, flag != 0 else {
                return
            }
            var value: Int64 = 0
            MPI_Recv(&value, 1, cmpi_int64(), status.MPI_SOURCE, ArrivalBoard.tag, comm.raw, cmpi_status_ignore())
            let source = Int(status.MPI_SOURCE)
            latest[source] = max(latest[source], value)
        }
    }

    /// Frees sends that have completed.
    private func completeSends() {
        pending.removeAll { entry in
            var request = entry.request
            var done: Int32 = 0
            MPI_Test(&request, &done, cmpi_status_ignore())
            if done != 0 { entry.cell.deallocate() }
            return done != 0
        }
    }
}
