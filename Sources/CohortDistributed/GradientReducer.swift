import CohortTrace
import Dispatch
import Foundation

/// Sums a model's gradient arena over all ranks in buckets, overlapping communication with backward.
///
/// Buckets are built once, walking the segments in reverse arena order (the order backward
/// finishes them): a bucket collects whole segments up to `bucketBytes`; a segment larger than
/// that alone is split into `bucketBytes` pieces; a gap between segments closes the bucket, so
/// bytes outside the segments are never touched. Each bucket is one in-place allreduce, issued in
/// the same order on every rank from one serial communication thread, so results are bitwise
/// reproducible at a given world size. The last bucket is left for `finishStep()`, which runs it on
/// the calling thread after the others: backward has nothing left to overlap it with, and a hop to
/// the communication thread costs more than a small allreduce (a model whose gradients fit in one
/// bucket never leaves the training thread). The arena ends holding the SUM; the trainer scales by 1/B
/// before (or after) as docs/DESIGN.md §4.3 says.
package final class GradientReducer {
    /// Contiguous arena ranges, in the order they are reduced (highest offsets first).
    package let buckets: [Range<Int>]
    private let communicator: any Communicator
    private let arena: ArenaPointer
    private let overlap: Bool
    /// With `--allreduce-dtype bf16|fp16`: the wire format and its staging buffer.
    private let compression: Compression?
    private let queue = DispatchQueue(label: "cohort.gradient-reducer")
    private let group = DispatchGroup()
    private let failure = FirstError()
    private var nextBucket = 0
    private var inStep = false

    /// Seconds the last `finishStep()` blocked waiting for communication.
    package private(set) var lastCommunicationWait: Double = 0

    /// - Parameters:
    ///   - gradients: the flat gradient arena; must outlive the reducer.
    ///   - segments: each parameter tensor's range in the arena, ascending and non-overlapping.
    ///   - bucketBytes: target bucket size (`--bucket-mb` × 2²⁰); at least one Float.
    ///   - overlap: start buckets from `gradientsReady(from:)`; when false everything is reduced in `finishStep()`.
    ///   - compression: send each bucket as 16-bit floats in this format (`--allreduce-dtype`), summed in float32.
    package init(communicator: any Communicator, gradients: UnsafeMutableBufferPointer<Float>, segments: [Range<Int>],
                bucketBytes: Int, overlap: Bool, compression: HalfPrecision? = nil) {
        self.communicator = communicator
        arena = ArenaPointer(buffer: gradients)
        self.overlap = overlap
        self.compression = compression.map { Compression(format: $0, staging: .allocate(capacity: max(gradients.count, 1))) }
        buckets = GradientReducer.makeBuckets(segments: segments, capacity: max(1, bucketBytes / MemoryLayout<Float>.stride),
                                              arenaCount: gradients.count)
    }

    /// Starts a step: no bucket has been sent yet.
    package func beginStep() {
        precondition(!inStep, "beginStep() called twice without finishStep()")
        inStep = true
        nextBucket = 0
    }

    /// Backward has finalised every gradient at arena offsets ≥ `offset`: start each bucket now complete.
    package func gradientsReady(from offset: Int) {
        precondition(inStep, "gradientsReady(from:) outside beginStep()/finishStep()")
        guard overlap else { return }
        while nextBucket < buckets.count - 1 && buckets[nextBucket].lowerBound >= offset {
            start(buckets[nextBucket])
            nextBucket += 1
        }
    }

    /// Reduces every bucket not yet started and waits for all, so the arena holds the global sum:
    /// all but the last on the communication thread, the last here once the others are done.
    /// Throws the first communication error of the step.
    package func finishStep() throws {
        precondition(inStep, "finishStep() without beginStep()")
        let began = ProcessInfo.processInfo.systemUptime
        defer {
            inStep = false
            lastCommunicationWait = ProcessInfo.processInfo.systemUptime - began
        }
        while nextBucket < buckets.count - 1 {
            start(buckets[nextBucket])
            nextBucket += 1
        }
        group.wait()
        if let error = failure.take() { throw error }
        if let last = buckets.last {
            try StepTrace.measure("allreduce \(last.count * 4 >> 10) KB (last bucket)", category: "communication") {
                try Self.reduce(last, of: arena, communicator: communicator, compression: compression)
            }
        }
    }

    /// Sums `buffer` over all ranks now, in line with the buckets already started (sync-BN
    /// statistics during backward): same serial thread, so every rank issues the same sequence.
    package func allreduceInOrder(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
        let communicator = communicator
        try queue.sync { try communicator.allreduceSum(buffer) }
    }

    private func start(_ bucket: Range<Int>) {
        let communicator = communicator, arena = arena, failure = failure, compression = compression
        queue.async(group: group) {
            guard !failure.isSet else { return }
            do {
                try StepTrace.measure("allreduce \(bucket.count * 4 >> 10) KB", category: "communication", thread: StepTrace.communicationThread) {
                    try Self.reduce(bucket, of: arena, communicator: communicator, compression: compression)
                }
            } catch {
                failure.record(error)
            }
        }
    }

    deinit { compression?.staging.deallocate() }

    /// Sums one bucket over the ranks in place, at full width or through the 16-bit staging buffer.
    private static func reduce(_ bucket: Range<Int>, of arena: ArenaPointer, communicator: any Communicator, compression: Compression?) throws {
        let values = arena.slice(bucket)
        guard let compression else { return try communicator.allreduceSum(values) }
        let format = compression.format, wire = UnsafeMutableBufferPointer(rebasing: compression.staging[bucket])
        for i in values.indices { wire[i] = format.encode(values[i]) }
        try communicator.allreduceSum(wire, format: format)
        for i in values.indices { values[i] = format.decode(wire[i]) }
    }

    /// Bucket layout (see the type's documentation); `capacity` is in Floats.
    static func makeBuckets(segments: [Range<Int>], capacity: Int, arenaCount: Int) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var current: Range<Int>? = nil
        for segment in segments.reversed() where !segment.isEmpty {
            precondition(segment.lowerBound >= 0 && segment.upperBound <= arenaCount, "segment \(segment) outside the arena")
            if let open = current {
                precondition(segment.upperBound <= open.lowerBound, "segments must be ascending and non-overlapping")
                if segment.upperBound == open.lowerBound && open.count + segment.count <= capacity {
                    current = segment.lowerBound..<open.upperBound
                    continue
                }
                result.append(open)
                current = nil
            }
            if segment.count <= capacity {
                current = segment
            } else {
                var top = segment.upperBound
                while top > segment.lowerBound {
                    let bottom = max(segment.lowerBound, top - capacity)
                    result.append(bottom..<top)
                    top = bottom
                }
            }
        }
        if let open = current { result.append(open) }
        return result
    }
}

/// The arena's address, shared with the communication thread; the reducer's caller keeps it alive.
private struct ArenaPointer: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Float>
    func slice(_ range: Range<Int>) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: buffer[range])
    }
}

/// The wire format of compressed buckets and the 16-bit buffer they are staged in (disjoint
/// ranges per bucket, so buckets in flight never share elements).
private struct Compression: @unchecked Sendable {
    let format: HalfPrecision
    let staging: UnsafeMutableBufferPointer<UInt16>
}

/// The first error raised on the communication thread during a step.
private final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var error: (any Error)?

    var isSet: Bool { lock.withLock { error != nil } }
    func record(_ newError: any Error) { lock.withLock { if error == nil { error = newError } } }
    func take() -> (any Error)? { lock.withLock { defer { error = nil }; return error } }
}
