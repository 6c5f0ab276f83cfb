import CMPI
import Foundation

/// An MPI handle made Sendable: handles are process-wide immutable values.
struct MPIComm: @unchecked Sendable {
    let raw: MPI_Comm
}

/// A communicator over `MPI_COMM_WORLD`.
///
/// Threading model: MPI is initialised with `MPI_THREAD_MULTIPLE`. Collectives on the world
/// communicator are issued one at a time, by the training thread or (inside a step) by the
/// `GradientReducer`'s communication thread. MULTIPLE is needed for the two things that run
/// concurrently with a blocked collective: the stall watchdog's arrival messages, which use their
/// own duplicated communicator, and its `MPI_Abort`. If the library provides less than MULTIPLE
/// (but at least SERIALIZED), arrival tracking is disabled and a stall is reported without
/// naming ranks. Errors are returned (`MPI_ERRORS_RETURN`) and thrown as `DistributedError`.
package final class MPICommunicator: Communicator, @unchecked Sendable {
    package let rank: Int
    package let size: Int
    package let localRank: Int
    package let localSize: Int
    /// The thread level MPI provided (`MPI_THREAD_*`).
    package let providedThreadLevel: Int32
    package let watchdog: StallWatchdog?
    let world: MPIComm

    /// Open MPI settings applied before `MPI_Init` unless the environment sets them:
    /// `mpi_yield_when_idle` makes a collective that waits for data yield the core instead of
    /// spinning. The gradient reducer's communication thread shares its core with backward, and a
    /// spinning allreduce on a slow link took that core from it: ResNet-50 across two hosts at
    /// 1 Gbit, backward 2.7 → 4.1 s per step with overlap, so overlap hid nothing; yielding, it hides 92%.
    static let openMPIDefaults = ["OMPI_MCA_mpi_yield_when_idle": "1"]

    /// Whether Open MPI runs this process with `mpi_yield_when_idle` set, read back through the MPI
    /// tool interface; nil where the library does not have the variable.
    package var yieldsWhenIdle: Bool? {
        var provided: Int32 = 0
        guard MPI_T_init_thread(Int32(MPI_THREAD_SINGLE), &provided) == MPI_SUCCESS else { return nil }
        defer { MPI_T_finalize() }
        var index: Int32 = 0, count: Int32 = 0
        var handle: MPI_T_cvar_handle? = nil
        guard MPI_T_cvar_get_index("mpi_yield_when_idle", &index) == MPI_SUCCESS,
              MPI_T_cvar_handle_alloc(index, nil, &handle, &count) == MPI_SUCCESS else { return nil }
        defer { MPI_T_cvar_handle_free(&handle) }
        var value = [UInt8](repeating: 0, count: 16)   // a boolean of whatever width the library uses
        guard MPI_T_cvar_read(handle, &value) == MPI_SUCCESS else { return nil }
        return value.contains { $0 != 0 }
    }

    /// Initialises MPI (once per process) and starts the stall watchdog.
    /// - Parameter stallTimeout: seconds a collective may wait; nil = adaptive (see `StallWatchdog`).
    package init(stallTimeout: Double?) throws {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        guard initialized == 0 else {
            throw DistributedError(rank: -1, call: "MPI_Init_thread", message: "MPI is already initialised in this process")
        }
        for (name, value) in MPICommunicator.openMPIDefaults { setenv(name, value, 0) }
        var provided: Int32 = 0
        let rc = MPI_Init_thread(nil, nil, Int32(MPI_THREAD_MULTIPLE), &provided)
        guard rc == MPI_SUCCESS else {
            throw DistributedError(rank: -1, call: "MPI_Init_thread", message: MPICommunicator.errorString(rc))
        }
        providedThreadLevel = provided
        world = MPIComm(raw: cmpi_comm_world())
        MPI_Comm_set_errhandler(world.raw, cmpi_errors_return())
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(world.raw, &r)
        MPI_Comm_size(world.raw, &s)
        rank = Int(r)
        size = Int(s)
        guard provided >= Int32(MPI_THREAD_SERIALIZED) else {
            throw DistributedError(rank: rank, call: "MPI_Init_thread",
                                   message: "MPI provides thread level \(provided); Cohort needs at least MPI_THREAD_SERIALIZED")
        }
        var node: MPI_Comm? = nil
        try MPICommunicator.check(
            MPI_Comm_split_type(world.raw, cmpi_comm_type_shared(), r, cmpi_info_null(), &node),
            "MPI_Comm_split_type", rank: rank)
        var lr: Int32 = 0, ls: Int32 = 0
        MPI_Comm_rank(node, &lr)
        MPI_Comm_size(node, &ls)
        MPI_Comm_free(&node)
        localRank = Int(lr)
        localSize = Int(ls)
        var board: ArrivalBoard? = nil
        if provided >= Int32(MPI_THREAD_MULTIPLE) {
            board = try ArrivalBoard(world: world, rank: rank, size: size)
        }
        let world = self.world
        watchdog = StallWatchdog(timeout: stallTimeout, rank: rank, arrivals: board) { code in
            MPI_Abort(world.raw, code)
        }
    }

    package func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        try allreduce(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count,
                      elementSize: MemoryLayout<Float>.stride, type: cmpi_float())
    }

    package func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
        try allreduce(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count,
                      elementSize: MemoryLayout<Double>.stride, type: cmpi_double())
    }

    package func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Int64>) throws {
        try allreduce(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count,
                      elementSize: MemoryLayout<Int64>.stride, type: cmpi_int64())
    }

    package func allreduceSum(_ buffer: UnsafeMutableBufferPointer<UInt16>, format: HalfPrecision) throws {
        try allreduce(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count, elementSize: MemoryLayout<UInt16>.stride,
                      type: cmpi_uint16(), operation: cmpi_op_sum_half(format == .fp16 ? 1 : 0))
    }

    /// `MPI_Allreduce` without the watchdog or chunking: the baseline for `cohort bench-allreduce`.
    package func rawAllreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        try check(MPI_Allreduce(cmpi_in_place(), buffer.baseAddress, Int32(buffer.count), cmpi_float(),
                                cmpi_op_sum(), world.raw), "MPI_Allreduce")
    }

    package func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard (0..<size).contains(root) else {
            throw DistributedError(rank: rank, call: "MPI_Bcast", message: "root \(root) out of range for \(size) ranks")
        }
        try guarded("MPI_Bcast") {
            for chunk in MPICommunicator.chunks(buffer.count) {
                try check(MPI_Bcast(buffer.baseAddress.map { $0 + chunk.lowerBound }, Int32(chunk.count),
                                    cmpi_byte(), Int32(root), world.raw), "MPI_Bcast")
            }
        }
    }

    package func allgather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        try guarded("MPI_Allgather") {
            var counts = [Int32](repeating: 0, count: size)
            var mine = Int32(bytes.count)
            try check(MPI_Allgather(&mine, 1, cmpi_int32(), &counts, 1, cmpi_int32(), world.raw), "MPI_Allgather")
            var offsets = [Int32](repeating: 0, count: size)
            var total = 0
            for i in 0..<size {
                offsets[i] = Int32(total)
                total += Int(counts[i])
            }
            guard total <= Int(Int32.max) else {
                throw DistributedError(rank: rank, call: "MPI_Allgatherv", message: "gathered \(total) bytes exceeds 2 GiB")
            }
            var all = [UInt8](repeating: 0, count: total)
            try bytes.withUnsafeBytes { send in
                try all.withUnsafeMutableBytes { recv in
                    try check(MPI_Allgatherv(send.baseAddress, mine, cmpi_byte(), recv.baseAddress, counts, offsets,
                                             cmpi_byte(), world.raw), "MPI_Allgatherv")
                }
            }
            return (0..<size).map { Array(all[Int(offsets[$0])..<Int(offsets[$0] + counts[$0])]) }
        }
    }

    package func barrier() throws {
        try guarded("MPI_Barrier") { try check(MPI_Barrier(world.raw), "MPI_Barrier") }
    }

    package func abort(code: Int32) -> Never {
        fflush(nil)
        MPI_Abort(world.raw, code)
        exit(code)
    }

    package func finalize() throws {
        watchdog?.stop()
        try check(MPI_Finalize(), "MPI_Finalize")
    }

    /// MPI's text for an error code.
    static func errorString(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &buffer, &length)
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func check(_ code: Int32, _ call: String, rank: Int) throws {
        guard code == MPI_SUCCESS else {
            throw DistributedError(rank: rank, call: call, message: errorString(code))
        }
    }

    /// Ranges of at most `Int32.max` elements covering `0..<count` (MPI counts are 32-bit), made
    /// as they are iterated: a collective allocates nothing.
    static func chunks(_ count: Int) -> LazyMapSequence<StrideTo<Int>, Range<Int>> {
        stride(from: 0, to: count, by: Int(Int32.max)).lazy.map { $0..<min(count, $0 + Int(Int32.max)) }
    }

    private func check(_ code: Int32, _ call: String) throws {
        try MPICommunicator.check(code, call, rank: rank)
    }

    /// Runs one collective with the watchdog armed around it.
    private func guarded<T>(_ what: String, _ body: () throws -> T) throws -> T {
        watchdog?.arm(what: what)
        defer { watchdog?.disarm() }
        return try body()
    }

    private func allreduce(_ base: UnsafeMutableRawPointer?, count: Int, elementSize: Int, type: MPI_Datatype,
                           operation: MPI_Op = cmpi_op_sum()) throws {
        try guarded("MPI_Allreduce") {
            for chunk in MPICommunicator.chunks(count) {
                try check(MPI_Allreduce(cmpi_in_place(), base.map { $0 + chunk.lowerBound * elementSize },
                                        Int32(chunk.count), type, operation, world.raw), "MPI_Allreduce")
            }
        }
    }
}
