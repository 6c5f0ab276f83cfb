@testable import CohortCore
import Dispatch
import Foundation
import Testing

/// The worker team behind `ThreadSplit`: every part of every region runs exactly once, whether the
/// workers were spinning or parked, whether regions nest or several threads start them at once.
@Suite struct ThreadTeamTests {
    /// Runs `regions` regions of 1–5 parts, pausing past the spin time now and then so workers
    /// park and must be woken; each part counts its own runs.
    static func countRuns(regions: Int, pauseEvery: Int) -> [[Int]] {
        (0..<regions).map { region in
            if region % pauseEvery == pauseEvery - 1 { usleep(UInt32(ThreadTeam.spinSeconds * 3e6)) }
            let parts = 1 + region % 5
            let runs = UnsafeMutablePointer<Int>.allocate(capacity: parts)
            defer { runs.deallocate() }
            runs.initialize(repeating: 0, count: parts)
            ThreadSplit.forEachPart(parts * 7, parts: parts) { part, range in
                #expect(range == (parts * 7 * part / parts)..<(parts * 7 * (part + 1) / parts))
                runs[part] += 1
            }
            return Array(UnsafeBufferPointer(start: runs, count: parts))
        }
    }

    @Test func everyPartRunsOnceWhetherWorkersSpinOrPark() {
        for (region, runs) in Self.countRuns(regions: 3000, pauseEvery: 50).enumerated() {
            #expect(runs.allSatisfy { $0 == 1 }, "region \(region): \(runs)")
        }
    }

    @Test func nestedRegionsAndConcurrentCallersRunEveryPartOnce() {
        let sums = UnsafeMutablePointer<Int>.allocate(capacity: 4)
        defer { sums.deallocate() }
        sums.initialize(repeating: 0, count: 4)
        nonisolated(unsafe) let shared = sums
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for _ in 0..<300 {
                var partial = [Int](repeating: 0, count: 3)
                partial.withUnsafeMutableBufferPointer { outer in
                    ThreadSplit.forEachPart(30, parts: 3) { part, range in
                        // A region inside a region runs too (on Dispatch's pool while the team is busy).
                        var inner = [Int](repeating: 0, count: 2)
                        inner.withUnsafeMutableBufferPointer { slots in
                            ThreadSplit.forEachPart(range.count, parts: 2) { p, r in slots[p] = r.count }
                        }
                        outer[part] = inner[0] + inner[1]
                    }
                }
                shared[caller] += partial.reduce(0, +)
            }
        }
        #expect(Array(UnsafeBufferPointer(start: sums, count: 4)) == [9000, 9000, 9000, 9000])
    }
}
