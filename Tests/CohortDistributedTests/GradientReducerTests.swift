import Foundation
import Testing
@testable import CohortDistributed

/// Records which arena ranges were allreduced, in order, and adds 1 to each element (a fake 2-rank sum).
final class RecordingCommunicator: Communicator, @unchecked Sendable {
    let rank = 0, size = 2, localRank = 0, localSize = 2
    let watchdog: StallWatchdog? = nil
    private let lock = NSLock()
    private var base: UnsafeMutablePointer<Float>?
    private var recorded: [Range<Int>] = []
    private var recordedThreads: [pthread_t] = []
    let started = DispatchSemaphore(value: 0)

    func track(_ arena: UnsafeMutableBufferPointer<Float>) { base = arena.baseAddress }
    var ranges: [Range<Int>] { lock.withLock { recorded } }
    /// The thread each recorded allreduce ran on.
    var threads: [pthread_t] { lock.withLock { recordedThreads } }

    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        let start = buffer.baseAddress! - base!
        lock.withLock {
            recorded.append(start..<start + buffer.count)
            recordedThreads.append(pthread_self())
        }
        for i in buffer.indices { buffer[i] += 1 }
        started.signal()
    }
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {}
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Int64>) throws {}
    /// A fake 2-rank sum of 16-bit values: adds 1 in `format`.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<UInt16>, format: HalfPrecision) throws {
        for i in buffer.indices { buffer[i] = format.encode(format.decode(buffer[i]) + 1) }
    }
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {}
    func allgather(_ bytes: [UInt8]) throws -> [[UInt8]] { [bytes, bytes] }
    func barrier() throws {}
    func abort(code: Int32) -> Never { fatalError("abort \(code)") }
    func finalize() throws {}
}

@Suite struct GradientReducerTests {
    @Test func bucketsMergeWholeTensorsInReverseOrder() {
        let segments = [0..<10, 10..<30, 30..<35, 35..<60]
        #expect(GradientReducer.makeBuckets(segments: segments, capacity: 30, arenaCount: 60) == [30..<60, 0..<30])
        #expect(GradientReducer.makeBuckets(segments: segments, capacity: 1000, arenaCount: 60) == [0..<60])
        #expect(GradientReducer.makeBuckets(segments: segments, capacity: 25, arenaCount: 60) == [35..<60, 10..<35, 0..<10])
    }

    @Test func onlyAnOversizedTensorIsSplit() {
        let buckets = GradientReducer.makeBuckets(segments: [0..<4, 4..<29, 29..<31], capacity: 10, arenaCount: 31)
        #expect(buckets == [29..<31, 19..<29, 9..<19, 4..<9, 0..<4])
    }

    @Test func gapsBetweenSegmentsAreNeverReduced() {
        let buckets = GradientReducer.makeBuckets(segments: [0..<5, 8..<10, 10..<12], capacity: 100, arenaCount: 14)
        #expect(buckets == [8..<12, 0..<5])
    }

    /// Runs `body` with an overlapping reducer over a 100-float arena in three buckets
    /// [70..<100, 40..<70, 0..<40], then checks that every element was reduced exactly once.
    func withThreeBuckets(_ body: (GradientReducer, RecordingCommunicator) throws -> Void) throws {
        let communicator = RecordingCommunicator()
        var arena = [Float](repeating: 0, count: 100)
        try arena.withUnsafeMutableBufferPointer { buffer in
            communicator.track(buffer)
            let reducer = GradientReducer(communicator: communicator, gradients: buffer,
                                          segments: [0..<40, 40..<70, 70..<100], bucketBytes: 40 * 4, overlap: true)
            #expect(reducer.buckets == [70..<100, 40..<70, 0..<40])
            try body(reducer, communicator)
        }
        #expect(arena.allSatisfy { $0 == 1 })
    }

    @Test func readyBucketsStartDuringBackwardAndAllFinish() throws {
        try withThreeBuckets { reducer, communicator in
            reducer.beginStep()
            reducer.gradientsReady(from: 70)
            // The top bucket is sent before finishStep; a hang here is caught by the semaphore's limit.
            #expect(communicator.started.wait(timeout: .now() + 10) == .success)
            #expect(communicator.ranges == [70..<100])
            reducer.gradientsReady(from: 50)   // 40..<70 not complete yet
            try reducer.finishStep()
            #expect(communicator.ranges == [70..<100, 40..<70, 0..<40])
        }
    }

    @Test func theLastBucketIsReducedByFinishStepOnTheCallingThread() throws {
        try withThreeBuckets { reducer, communicator in
            reducer.beginStep()
            reducer.gradientsReady(from: 0)   // every bucket is complete
            for _ in 0..<2 { #expect(communicator.started.wait(timeout: .now() + 10) == .success) }
            #expect(communicator.ranges == [70..<100, 40..<70])
            try reducer.finishStep()
            #expect(communicator.ranges == [70..<100, 40..<70, 0..<40])
            let threads = communicator.threads
            #expect(pthread_equal(threads[2], pthread_self()) != 0)
            #expect(pthread_equal(threads[0], pthread_self()) == 0)
        }
    }

    @Test func withoutOverlapEverythingIsReducedAtFinish() throws {
        let communicator = RecordingCommunicator()
        var arena = [Float](repeating: 0, count: 10)
        try arena.withUnsafeMutableBufferPointer { buffer in
            communicator.track(buffer)
            let reducer = GradientReducer(communicator: communicator, gradients: buffer,
                                          segments: [0..<5, 5..<10], bucketBytes: 20, overlap: false)
            reducer.beginStep()
            reducer.gradientsReady(from: 0)
            #expect(communicator.ranges.isEmpty)
            try reducer.finishStep()
            #expect(communicator.ranges == [5..<10, 0..<5])
            #expect(reducer.lastCommunicationWait >= 0)
        }
    }

    @Test(arguments: HalfPrecision.allCases)
    func compressedBucketsTravelAsSixteenBitFloats(format: HalfPrecision) throws {
        let communicator = RecordingCommunicator()
        var arena = (0..<64).map { Float($0) * 0.1234567 }
        let original = arena
        try arena.withUnsafeMutableBufferPointer { buffer in
            communicator.track(buffer)
            let reducer = GradientReducer(communicator: communicator, gradients: buffer, segments: [0..<32, 32..<64],
                                          bucketBytes: 32 * 4, overlap: true, compression: format)
            reducer.beginStep()
            reducer.gradientsReady(from: 32)
            try reducer.finishStep()
        }
        // Every element was rounded to the format, then 1 was added in float32 and rounded again.
        for (value, start) in zip(arena, original) {
            #expect(value == format.decode(format.encode(format.decode(format.encode(start)) + 1)))
        }
        #expect(arena != original.map { $0 + 1 }, "the values went through 16 bits")
    }

    @Test func halfPrecisionEncodingRoundsToNearestEven() {
        #expect(HalfPrecision.bf16.encode(1.0) == 0x3F80)
        #expect(HalfPrecision.bf16.decode(HalfPrecision.bf16.encode(1 + 1.0 / 256)) == 1)                 // a tie: to even
        #expect(HalfPrecision.bf16.decode(HalfPrecision.bf16.encode(1 + 3.0 / 256)) == 1 + 4.0 / 256)     // a tie: to even
        #expect(HalfPrecision.bf16.decode(HalfPrecision.bf16.encode(.nan)).isNaN)
        #expect(HalfPrecision.fp16.decode(HalfPrecision.fp16.encode(0.1)) == Float(Float16(0.1)))
        #expect(HalfPrecision.fp16.decode(HalfPrecision.fp16.encode(1e6)).isInfinite, "fp16 overflows past 65504")
    }

    @Test func singleProcessLeavesGradientsUnchanged() throws {
        var arena = (0..<50).map(Float.init)
        try arena.withUnsafeMutableBufferPointer { buffer in
            let reducer = GradientReducer(communicator: SingleProcessCommunicator(), gradients: buffer,
                                          segments: [0..<20, 20..<50], bucketBytes: 40, overlap: true)
            reducer.beginStep()
            reducer.gradientsReady(from: 0)
            try reducer.finishStep()
        }
        #expect(arena == (0..<50).map(Float.init))
    }
}

@Suite struct AgreementUnitTests {
    @Test func fieldEncodingRoundTrips() {
        let fields: [(name: String, value: String)] = [("lr", "0.1"), ("", ""), ("model", "résnet=50")]
        let decoded = RankAgreement.decode(RankAgreement.encode(fields))
        #expect(decoded.map(\.name) == fields.map(\.name) && decoded.map(\.value) == fields.map(\.value))
    }

    @Test func replicaChecksumSeesEveryBit() {
        let a: [Float] = [1, 2, 0]
        let b: [Float] = [1, 2, -0.0]
        let sumA = a.withUnsafeBufferPointer(ReplicaCheck.checksum)
        #expect(sumA != b.withUnsafeBufferPointer(ReplicaCheck.checksum))
        #expect(sumA == a.withUnsafeBufferPointer(ReplicaCheck.checksum))
    }

    @Test func singleProcessAgreementAndStopVote() throws {
        let communicator = SingleProcessCommunicator()
        try RankAgreement.verify(fields: [("lr", "0.1")], communicator: communicator)
        #expect(try agreeToStop(true, communicator: communicator))
        #expect(try !agreeToStop(false, communicator: communicator))
    }
}
