import CohortDistributed
import Foundation

/// The collective checks behind `cohort comm-check`; each throws `CheckFailure` on a wrong result.
struct CollectiveChecks {
    struct CheckFailure: Error, CustomStringConvertible {
        let description: String
    }

    let communicator: any Communicator
    let say: (String) -> Void

    private var rank: Int { communicator.rank }
    private var size: Int { communicator.size }

    func runAll(sizes: [Int], bucketKB: [Int]) throws {
        for count in sizes {
            for kb in bucketKB {
                try bucketedAllreduce(count: count, bucketBytes: kb * 1024)
                try reproducibleChecksum(count: count, bucketBytes: kb * 1024)
            }
        }
        try otherTypes()
        try broadcast()
        try allgather()
    }

    /// Tensor sizes cycling through small, odd and large, so buckets merge, split and straddle.
    static func segments(count: Int) -> [Range<Int>] {
        let pattern = [1, 3, 1000, 17, 50000, 7, 250, 300_001]
        var result: [Range<Int>] = []
        var start = 0
        var index = 0
        while start < count {
            let end = min(count, start + pattern[index % pattern.count])
            result.append(start..<end)
            start = end
            index += 1
        }
        return result
    }

    /// Runs one simulated step: backward finishes segments from the top of the arena down.
    private func reduce(_ arena: UnsafeMutableBufferPointer<Float>, bucketBytes: Int) throws {
        let segments = CollectiveChecks.segments(count: arena.count)
        let reducer = GradientReducer(communicator: communicator, gradients: arena, segments: segments,
                                      bucketBytes: bucketBytes, overlap: true)
        reducer.beginStep()
        for segment in segments.reversed() { reducer.gradientsReady(from: segment.lowerBound) }
        try reducer.finishStep()
    }

    /// (rank+1)·x summed over ranks must equal size(size+1)/2·x exactly (x is a multiple of ½, so no rounding).
    private func bucketedAllreduce(count: Int, bucketBytes: Int) throws {
        let x = (0..<count).map { Float($0 % 1024) * 0.5 - 100 }
        var arena = x.map { $0 * Float(rank + 1) }
        try arena.withUnsafeMutableBufferPointer { try reduce($0, bucketBytes: bucketBytes) }
        let factor = Float(size * (size + 1) / 2)
        if let bad = (0..<count).first(where: { arena[$0] != factor * x[$0] }) {
            throw CheckFailure(description: "allreduce n=\(count) bucket=\(bucketBytes): element \(bad) is \(arena[bad]), expected \(factor * x[bad])")
        }
        say("allreduce n=\(count) bucketKB=\(bucketBytes / 1024) ok")
    }

    /// Inexact values: prints a checksum that two runs at the same world size must reproduce, and checks replicas agree.
    private func reproducibleChecksum(count: Int, bucketBytes: Int) throws {
        var arena = (0..<count).map { Float(sin(Double($0) * 0.37 + Double(rank)) * (1 + 0.1 * Double(rank))) }
        try arena.withUnsafeMutableBufferPointer { try reduce($0, bucketBytes: bucketBytes) }
        try arena.withUnsafeBufferPointer { values in
            try ReplicaCheck.verify(values, communicator: communicator)
            say("checksum n=\(count) bucketKB=\(bucketBytes / 1024) " + String(ReplicaCheck.checksum(values), radix: 16))
        }
    }

    private func otherTypes() throws {
        var doubles = (0..<1000).map { Double($0) * Double(rank + 1) }
        try doubles.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
        let factor = size * (size + 1) / 2
        guard doubles.enumerated().allSatisfy({ $0.element == Double($0.offset * factor) }) else {
            throw CheckFailure(description: "Double allreduce wrong")
        }
        say("allreduce-double ok")
        var integers = (0..<1000).map { Int64($0) * Int64(rank + 1) + (1 << 40) }
        try integers.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
        guard integers.enumerated().allSatisfy({ $0.element == Int64($0.offset * factor) + Int64(size) << 40 }) else {
            throw CheckFailure(description: "Int64 allreduce wrong")
        }
        say("allreduce-int64 ok")
    }

    /// Root is the last rank; 1 MB plus an odd tail.
    private func broadcast() throws {
        let root = size - 1
        let count = 1_048_576 + 13
        var bytes = [UInt8](repeating: UInt8(rank), count: count)
        if rank == root { for i in 0..<count { bytes[i] = UInt8(truncatingIfNeeded: i &* 31 &+ 7) } }
        try bytes.withUnsafeMutableBytes { try communicator.broadcast($0, root: root) }
        guard (0..<count).allSatisfy({ bytes[$0] == UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }) else {
            throw CheckFailure(description: "broadcast from rank \(root) wrong")
        }
        say("broadcast ok")
    }

    /// Rank r contributes r+1 bytes of value r; then every rank contributes nothing.
    private func allgather() throws {
        let gathered = try communicator.allgather([UInt8](repeating: UInt8(rank), count: rank + 1))
        guard gathered.count == size,
              gathered.enumerated().allSatisfy({ $0.element == [UInt8](repeating: UInt8($0.offset), count: $0.offset + 1) })
        else { throw CheckFailure(description: "allgather wrong: \(gathered)") }
        let empty = try communicator.allgather([])
        guard empty.count == size, empty.allSatisfy(\.isEmpty) else {
            throw CheckFailure(description: "empty allgather wrong")
        }
        say("allgather ok")
    }
}
