@testable import CohortCore
import CohortTrace
import Dispatch
import Foundation
import Synchronization
import Testing

/// The worker team behind `ThreadSplit`: every part of every region runs exactly once, whether the
/// workers were spinning or parked, whether regions nest or several threads start them at once.
@Suite struct ThreadTeamTests {
    /// Runs `regions` regions of 1–5 parts on 1–4 threads (parts above threads are claimed by
    /// whichever thread is free), pausing past the spin time now and then so workers park and must
    /// be woken; each part counts its own runs.
    static func countRuns(regions: Int, pauseEvery: Int) -> [[Int]] {
        (0..<regions).map { region in
            if region % pauseEvery == pauseEvery - 1 { usleep(UInt32(ThreadTeam.spinSeconds * 3e6)) }
            let parts = 1 + region % 5, threads = 1 + region % 4
            let runs = UnsafeMutablePointer<Int>.allocate(capacity: parts)
            defer { runs.deallocate() }
            runs.initialize(repeating: 0, count: parts)
            ThreadSplit.forEachPart(parts * 7, parts: parts, threads: threads) { part, range, thread in
                #expect(range == (parts * 7 * part / parts)..<(parts * 7 * (part + 1) / parts))
                #expect(thread < threads)
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

    /// Per-thread scratch is safe only if no two parts run at once with the same thread index.
    @Test func aThreadIndexRunsOnePartAtATime() {
        final class Flag: Sendable { let busy = Atomic<Bool>(false) }
        let flags = (0..<3).map { _ in Flag() }
        let collisions = Atomic<Int>(0), ran = Atomic<Int>(0)
        for _ in 0..<2000 {
            ThreadSplit.forEachPart(64, parts: 16, threads: 3) { _, range, thread in
                if flags[thread].busy.exchange(true, ordering: .acquiringAndReleasing) { collisions.add(1, ordering: .relaxed) }
                var spin = 0
                for i in range { spin &+= i &* 31 }   // a little work, so parts overlap
                ran.add(range.count + (spin == -1 ? 1 : 0), ordering: .relaxed)
                flags[thread].busy.store(false, ordering: .releasing)
            }
        }
        #expect(collisions.load(ordering: .relaxed) == 0)
        #expect(ran.load(ordering: .relaxed) == 2000 * 64)
    }

    /// Batch parts cover the batch once, in whole units but the last, within the limit, and as
    /// many for every thread (so none is left with one more part than the others).
    @Test(arguments: [(16, 6, 1, 2), (16, 8, 8, 2), (12, 8, 8, 2), (128, 8, 8, 2), (100, 2, 1, 3), (5, 4, 1, 4), (3, 1, 1, 1)])
    func batchPartsCoverTheBatchInWholeUnitsWithinTheLimit(count: Int, limit: Int, unit: Int, threads: Int) {
        let parts = Mutex<[Range<Int>]>([])
        ThreadSplit.forEachBatchPart(ThreadSplit.BatchCut(count, limit: limit, unit: unit, threads: threads)) { piece, thread in
            let range = piece.range
            #expect(thread < threads)
            parts.withLock { $0.append(range) }
        }
        let sorted = parts.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        #expect(sorted.first?.lowerBound == 0 && sorted.last?.upperBound == count)
        #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(sorted.allSatisfy { $0.count <= max(limit, unit) && $0.lowerBound % unit == 0 })
        let used = min(threads, (count + unit - 1) / unit)
        #expect(sorted.count % used == 0 || sorted.count == (count + unit - 1) / unit, "\(sorted)")
    }

    /// Where the fewest parts would come out unequal (32 in parts of at most 6: sizes 5 and 6) and
    /// up to twice as many come out equal, the parts are equal.
    @Test(arguments: [(32, 6, 1, 2, 8), (48, 20, 8, 2, 6), (30, 4, 1, 2, 10), (7, 3, 1, 2, 4)])
    func batchPartsAreEqualWhereTheBatchAllows(count: Int, limit: Int, unit: Int, threads: Int, expectedParts: Int) {
        let sizes = Mutex<[Int]>([])
        ThreadSplit.forEachBatchPart(ThreadSplit.BatchCut(count, limit: limit, unit: unit, threads: threads)) { piece, _ in
            sizes.withLock { $0.append(piece.range.count) }
        }
        let counted = sizes.withLock { $0 }
        #expect(counted.count == expectedParts && counted.reduce(0, +) == count)
        if count % expectedParts == 0 { #expect(Set(counted).count == 1, "\(counted)") }
    }

    /// Chunks cover the range once, as `forEachBatchPart` cuts it (the last round's pieces cut
    /// into fewer items where `tail` > 1); each slot's turns come in chunk order whichever thread
    /// ran which (some chunks sleep, so threads overtake each other); a chunk that skips its turn
    /// holds up no one; and a float sum accumulated slot by slot is the same bits every run.
    @Test(arguments: [(100, 7, 1, 1), (100, 7, 2, 1), (64, 8, 3, 1), (5, 2, 4, 1), (9, 9, 2, 1), (100, 7, 2, 3), (64, 8, 3, 4)])
    func chunksTakeTheirSlotsTurnsInChunkOrder(count: Int, limit: Int, threads: Int, tail: Int) {
        let cut = ThreadSplit.BatchCut(count, limit: limit, tailSubparts: tail, threads: threads), used = cut.threads
        let slots = ThreadSplit.accumulatorSlots(cut)
        #expect(slots == (used == 1 ? 1 : min(cut.pieces, 2 * used)))
        var sums: Set<[Float]> = []
        for run in 0..<20 {
            let seen = Mutex<[(index: Int, items: Range<Int>, slot: Int, startsSlot: Bool)]>([]), turns = Mutex<[[Int]]>(Array(repeating: [], count: slots))
            let totals = UnsafeMutablePointer<Float>.allocate(capacity: slots)
            defer { totals.deallocate() }
            totals.initialize(repeating: 0, count: slots)
            ThreadSplit.forEachSlotChunk(cut) { chunk, inTurn in
                let items = chunk.piece.items
                #expect(chunk.thread < used && items.count <= limit && !items.isEmpty)
                seen.withLock { $0.append((chunk.piece.index, items, chunk.slot, chunk.startsSlot)) }
                if (items.lowerBound + run) % 3 == 0 { usleep(200) }
                guard items.lowerBound % 4 != 3 else { return }   // no turn taken
                inTurn {
                    turns.withLock { $0[chunk.slot].append(chunk.piece.index) }
                    for i in items { totals[chunk.slot] += 1 / Float(i + 3) }
                }
            }
            let byIndex = seen.withLock { $0 }.sorted { $0.index < $1.index }, byItems = byIndex.sorted { $0.items.lowerBound < $1.items.lowerBound }
            #expect(byIndex.map(\.index) == Array(0..<cut.pieces))
            #expect(byItems.first?.items.lowerBound == 0 && byItems.last?.items.upperBound == count)
            #expect(zip(byItems, byItems.dropFirst()).allSatisfy { $0.items.upperBound == $1.items.lowerBound })
            for chunk in byIndex { #expect(chunk.slot == chunk.index % slots && chunk.startsSlot == (chunk.index < slots)) }
            for (slot, order) in turns.withLock({ $0 }).enumerated() {
                let expected = byIndex.filter { $0.slot == slot && $0.items.lowerBound % 4 != 3 }.map(\.index)
                #expect(order == expected, "slot \(slot)")
            }
            sums.insert(Array(UnsafeBufferPointer(start: totals, count: slots)))
        }
        #expect(sums.count == 1, "\(sums)")
    }

    /// A cut covers every part's cuts once; on several threads the last round, one piece a thread,
    /// comes last in claim order, cut `tailSubparts` times finer, its larger cuts first; on one
    /// thread nothing is cut finer.
    @Test(arguments: [(128, 8, 8, 1, 2, 2), (32, 8, 8, 2, 1, 2), (16, 2, 1, 1, 2, 2), (16, 2, 1, 1, 2, 3), (100, 7, 1, 3, 4, 3), (40, 8, 1, 1, 4, 1)])
    func tailPiecesCutTheLastRoundFiner(count: Int, limit: Int, unit: Int, subparts: Int, tail: Int, threads: Int) {
        let cut = ThreadSplit.BatchCut(count, limit: limit, unit: unit, subparts: subparts, tailSubparts: tail, threads: threads)
        let pieces = (0..<cut.pieces).map(cut.piece)
        let tailSubparts = threads > 1 ? tail : 1, tailPieces = tailSubparts > 1 ? min(threads, cut.parts * subparts) : 0
        #expect(cut.cuts == subparts * tailSubparts && cut.pieces == cut.parts * subparts + tailPieces * (tailSubparts - 1))
        for part in Set(pieces.map(\.range.lowerBound)) {
            let cuts = pieces.filter { $0.range.lowerBound == part }.map(\.cut).sorted { $0.lowerBound < $1.lowerBound }
            #expect(cuts.first?.lowerBound == 0 && cuts.last?.upperBound == cut.cuts && zip(cuts, cuts.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        }
        let lead = pieces.count - tailPieces * tailSubparts
        #expect(pieces[..<lead].allSatisfy { $0.cut.count == tailSubparts })
        #expect(pieces[lead...].allSatisfy { $0.cut.count == 1 })
        func rows(_ piece: ThreadSplit.Piece) -> Int { ThreadSplit.share(piece.cut, of: cut.cuts, total: 2 * cut.cuts + 1).count }
        #expect(zip(pieces, pieces.dropFirst()).allSatisfy { rows($0) >= rows($1) || $0.cut.count != $1.cut.count })
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
                    ThreadSplit.forEachPart(30, parts: 3, threads: 3) { part, range, _ in
                        // A region inside a region runs too: shared with the team's idle threads when the
                        // team runs the outer one, else on Dispatch's pool.
                        var inner = [Int](repeating: 0, count: 2)
                        inner.withUnsafeMutableBufferPointer { slots in
                            ThreadSplit.forEachPart(range.count, parts: 2, threads: 2) { p, r, _ in slots[p] = r.count }
                        }
                        outer[part] = inner[0] + inner[1]
                    }
                }
                shared[caller] += partial.reduce(0, +)
            }
        }
        #expect(Array(UnsafeBufferPointer(start: sums, count: 4)) == [9000, 9000, 9000, 9000])
    }

    /// A loop shared inside a part (`ThreadTeam.share`) runs each item once; a thread that has run
    /// out of parts claims items of it (so the region ends sooner), never while it runs another
    /// item under the same index; and the region reports when it helped. Other suites' regions may
    /// hold the team meanwhile (tests run in parallel), so a region that found it busy is tried again.
    @Test func threadsWithoutPartsHelpWithSharedLoops() {
        final class Flag: Sendable { let busy = Atomic<Bool>(false) }
        let flags = (0..<2).map { _ in Flag() }
        let items = 100, collisions = Atomic<Int>(0)
        var helped = 0, regions = 0, attempts = 0
        while regions < 5 && attempts < 2000 {
            attempts += 1
            let runs = UnsafeMutablePointer<Int>.allocate(capacity: items), ranBy = UnsafeMutablePointer<Int>.allocate(capacity: items)
            defer { runs.deallocate(); ranBy.deallocate() }
            runs.initialize(repeating: 0, count: items)
            let reported = Mutex<[(thread: Int, start: Double, end: Double)]>([])
            var shared = false, owner = -1
            let start = StepTrace.now()
            let ran = ThreadTeam.shared.run(parts: 2, threads: 2, reportingHelp: { thread, spans in
                reported.withLock { list in list += spans.map { (thread, $0.start, $0.end) } }
            }) { part, thread in
                guard part == 0 else { return }   // the other thread is left without parts at once
                owner = thread
                shared = ThreadTeam.shared.share(items) { item, thread in
                    if flags[thread].busy.exchange(true, ordering: .acquiringAndReleasing) { collisions.add(1, ordering: .relaxed) }
                    usleep(200)
                    runs[item] += 1
                    ranBy[item] = thread
                    flags[thread].busy.store(false, ordering: .releasing)
                }
            }
            let end = StepTrace.now()
            guard ran else {
                usleep(1000)
                continue
            }
            regions += 1
            #expect(shared)
            #expect((0..<items).allSatisfy { runs[$0] == 1 && ranBy[$0] < 2 })
            let helpedItems = (0..<items).filter { ranBy[$0] != owner }.count, spans = reported.withLock { $0 }
            #expect(spans.allSatisfy { $0.thread != owner && start <= $0.start && $0.start <= $0.end && $0.end <= end })
            #expect((helpedItems == 0) == spans.isEmpty, "\(helpedItems) items helped, spans \(spans)")
            if helpedItems > 0 { helped += 1 }
        }
        #expect(regions == 5)
        #expect(collisions.load(ordering: .relaxed) == 0)
        #expect(helped > 0)
    }
}
