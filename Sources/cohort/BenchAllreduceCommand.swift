import ArgumentParser
import CohortDistributed
import Foundation

/// `cohort bench-allreduce` (under mpirun): Cohort's bucketed gradient allreduce next to one raw
/// in-place `MPI_Allreduce` of the same buffer, timed in turn in the same run, for message sizes 4 KB … 100 MB.
struct BenchAllreduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-allreduce", abstract: "Compare Cohort's bucketed allreduce with raw MPI_Allreduce (run under mpirun).")

    @Option(help: "Message sizes in KB (comma separated).") var sizes = "4,64,1024,16384,102400"
    @Option(name: .customLong("bucket-mb"), help: "Gradient bucket size in MB.") var bucketMB = 25.0
    @Option(help: "Tensors the buffer is cut into, as a model's parameters would be.") var tensors = 16
    @Option(help: "Seconds to spend per size and method (at least 3 repetitions).") var seconds = 1.0

    func run() throws {
        try DistributedRun.run(stallTimeout: nil, threads: 1) { communicator, _ in
            if communicator.rank == 0 {
                print("bench-allreduce: \(communicator.size) ranks, buckets of \(bucketMB) MB, \(tensors) tensors per buffer")
                print("      size   raw MPI_Allreduce      Cohort buckets   Cohort/raw")
            }
            for kilobytes in sizes.split(separator: ",").compactMap({ Int($0) }) {
                let count = max(1, kilobytes * 1024 / MemoryLayout<Float>.stride)
                let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
                defer { buffer.deallocate() }
                buffer.initialize(repeating: 1)
                let piece = max(1, count / tensors)
                let segments = stride(from: 0, to: count, by: piece).map { $0..<min($0 + piece, count) }
                let reducer = GradientReducer(communicator: communicator, gradients: buffer, segments: segments,
                                              bucketBytes: Int(bucketMB * 1_048_576), overlap: true)
                let (raw, bucketed) = try timedAlternately(communicator, {
                    if let mpi = communicator as? MPICommunicator { try mpi.rawAllreduceSum(buffer) } else { try communicator.allreduceSum(buffer) }
                }, {
                    reducer.beginStep()
                    reducer.gradientsReady(from: 0)
                    try reducer.finishStep()
                })
                if communicator.rank == 0 {
                    let bytes = Double(count * MemoryLayout<Float>.stride)
                    print(String(format: "%8d KB  %8.3f ms %6.2f GB/s  %8.3f ms %6.2f GB/s   %6.1f%%", kilobytes,
                                 raw * 1000, bytes / raw / 1e9, bucketed * 1000, bytes / bucketed / 1e9, raw / bucketed * 100))
                }
            }
            return 0
        }
    }

    /// Median seconds of `first` and of `second`, run in turn (so both see the same drift of a shared
    /// machine) over repetitions filling `seconds` for each (the same count on every rank).
    private func timedAlternately(_ communicator: any Communicator, _ first: () throws -> Void,
                                  _ second: () throws -> Void) throws -> (Double, Double) {
        func time(_ body: () throws -> Void) throws -> Double {
            try communicator.barrier()
            let start = ProcessInfo.processInfo.systemUptime
            try body()
            return ProcessInfo.processInfo.systemUptime - start
        }
        try first()
        try second()
        var probe = [try time(first) + time(second)]
        try probe.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }   // agree on the repetition count
        let repetitions = max(3, min(1000, Int(2 * seconds / max(probe[0] / Double(communicator.size), 1e-6))))
        var times: ([Double], [Double]) = ([], [])
        for _ in 0..<repetitions {
            times.0.append(try time(first))
            times.1.append(try time(second))
        }
        return (times.0.sorted()[repetitions / 2], times.1.sorted()[repetitions / 2])
    }
}
