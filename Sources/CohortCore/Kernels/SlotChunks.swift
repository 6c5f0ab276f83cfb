import Foundation
import Synchronization

extension ThreadSplit {
    /// One chunk of `forEachSlotChunk`: its piece of the batch, the accumulator slot it adds into,
    /// whether it is that slot's first chunk (which starts the slot's sum rather than adding to it),
    /// and the thread running it (for that thread's scratch).
    package struct SlotChunk {
        package let piece: Piece, slot: Int, startsSlot: Bool, thread: Int
    }

    /// The accumulator slots `forEachSlotChunk` uses for the pieces of `cut`: one on one thread,
    /// else two a thread (at most one a chunk). With two a thread, the chunk a slot waits for was
    /// claimed about two rounds of chunks earlier, so only a thread more than twice as slow as the
    /// others makes another wait.
    package static func accumulatorSlots(_ cut: BatchCut) -> Int {
        let chunks = cut.pieces, used = min(cut.threads, chunks)
        return used <= 1 ? 1 : max(1, min(chunks, 2 * used))
    }

    /// Calls `body(chunk, inTurn)` for the pieces of `cut`, claimed in order by whichever thread is
    /// free. Chunk i belongs to slot i mod `accumulatorSlots(cut)`, and `inTurn(work)` runs `work`
    /// once the slot's previous chunk has run its own: what chunks add into their slot's accumulator
    /// is added in chunk order whichever thread ran which, so a sum over the slots depends only on
    /// the cut, as with one fixed part a thread, while a thread the host slows takes fewer chunks.
    /// `body` calls `inTurn` at most once; a chunk that does not gives its turn up when it returns.
    package static func forEachSlotChunk(_ cut: BatchCut, _ body: (_ chunk: SlotChunk, _ inTurn: (() -> Void) -> Void) -> Void) {
        let slots = accumulatorSlots(cut)
        // turns[s]: how many of slot s's chunks have had their turn.
        withUnsafeTemporaryAllocation(of: Atomic<Int>.self, capacity: slots) { turns in
            for slot in 0..<slots { (turns.baseAddress! + slot).initialize(to: Atomic(0)) }
            defer { turns.baseAddress!.deinitialize(count: slots) }
            forEachBatchPart(cut) { piece, thread in
                let slot = piece.index % slots, ordinal = piece.index / slots
                func takeTurn(_ work: () -> Void) {
                    var spins = 0
                    while turns[slot].load(ordering: .acquiring) != ordinal {
                        spins &+= 1
                        if spins > 4096 { sched_yield() }   // the slot's previous chunk is on a thread without a core
                    }
                    work()
                    turns[slot].store(ordinal + 1, ordering: .releasing)
                }
                var taken = false
                body(SlotChunk(piece: piece, slot: slot, startsSlot: ordinal == 0, thread: thread)) { work in
                    precondition(!taken, "ThreadSplit.forEachSlotChunk: one turn a chunk")
                    taken = true
                    takeTurn(work)
                }
                if !taken { takeTurn {} }
            }
        }
    }
}
