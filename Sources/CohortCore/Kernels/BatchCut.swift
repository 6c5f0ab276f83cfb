extension ThreadSplit {
    /// Tail pieces a piece of the last round is cut into at most (`BatchCut.tailSubparts`).
    package static let maximumTailSubparts = 4

    /// How `forEachBatchPart` cuts a loop over a batch into the pieces its threads claim. The batch
    /// goes into `parts` parts of whole `unit`s (`batchParts`); each part into `subparts` cuts of
    /// work the caller defines (tile rows of the part's images, say); and the last round of those
    /// pieces, one a thread, `tailSubparts` times finer again. Threads claiming equal pieces end a
    /// loop up to a piece apart whenever the host runs the rank's cores at different speeds:
    /// fashion-cnn b128's 14×14 Winograd layers at 2 threads, in 16 parts of 8 images, had one
    /// thread wait a median 2.2 ms (5%) at the end of their backward. Small last pieces fill that
    /// wait, and cutting only those keeps every other piece's products as wide as before. The cut
    /// depends only on its arguments, so no result depends on which thread ran which piece.
    package struct BatchCut {
        package let count: Int, unit: Int, parts: Int, threads: Int, subparts: Int, tailSubparts: Int

        /// The parts of `count` items as `batchParts` makes them (at most `limit` items each, in
        /// whole `unit`s but the last, as many for every thread), each in `subparts` cuts, and the
        /// last round of pieces `tailSubparts` times finer (on several threads only).
        package init(_ count: Int, limit: Int, unit: Int = 1, subparts: Int = 1, tailSubparts: Int = 1, threads: Int) {
            let (parts, used) = ThreadSplit.batchParts(count, limit: limit, unit: unit, threads: threads)
            self.init(count: count, unit: unit, parts: parts, threads: used, subparts: subparts, tailSubparts: tailSubparts)
        }

        private init(count: Int, unit: Int, parts: Int, threads: Int, subparts: Int, tailSubparts: Int) {
            (self.count, self.unit, self.parts, self.threads) = (count, unit, parts, threads)
            self.subparts = max(1, subparts)
            self.tailSubparts = threads > 1 ? max(1, tailSubparts) : 1
        }

        /// The same parts, cut into `subparts` and the last round `tailSubparts` times finer.
        package func cutting(subparts: Int = 1, tailSubparts: Int) -> BatchCut {
            BatchCut(count: count, unit: unit, parts: parts, threads: threads, subparts: subparts, tailSubparts: tailSubparts)
        }

        /// The finest cuts of a part: a piece covers `tailSubparts` of them, or one in the last round.
        package var cuts: Int { subparts * tailSubparts }

        /// The fewest items a part holds.
        package var smallestPart: Int { count / unit / parts * unit }

        /// Pieces of the last round (one a thread), each cut `tailSubparts` times.
        private var tail: Int { tailSubparts > 1 ? min(threads, parts * subparts) : 0 }

        /// How many pieces the threads claim.
        package var pieces: Int { parts * subparts + tail * (tailSubparts - 1) }

        /// Piece `index` in claim order: subpart s of every part before subpart s + 1 of any, then the
        /// tail's first cuts before their second ones, so that where the caller's earlier cuts are
        /// the larger, the larger pieces are claimed first and the small ones fill the loop's end (7
        /// tile rows in cuts of 3 and 4 with the 3s first left one of 2 threads idle for 15–17% of
        /// googlenet b16's inception3 3×3 layers).
        package func piece(_ index: Int) -> Piece {
            let lead = parts * subparts - tail
            let (coarse, tailCut): (Int, Range<Int>)
            if index < lead {
                (coarse, tailCut) = (index, 0..<tailSubparts)
            } else {
                let (round, offset) = (index - lead).quotientAndRemainder(dividingBy: tail)
                (coarse, tailCut) = (lead + offset, round..<round + 1)
            }
            let part = coarse % parts, units = (count + unit - 1) / unit
            let inUnits = (units * part / parts)..<(units * (part + 1) / parts)
            return Piece(index: index, range: inUnits.lowerBound * unit..<min(count, inUnits.upperBound * unit), unit: unit,
                         subpart: coarse / parts, subparts: subparts, tailCut: tailCut, tailSubparts: tailSubparts)
        }
    }

    /// One piece of a `BatchCut`: its part's items, which of the part's subparts it belongs to, and
    /// which of that subpart's tail cuts it covers (all of them but in the last round).
    package struct Piece {
        package let index: Int, range: Range<Int>, unit: Int, subpart: Int, subparts: Int, tailCut: Range<Int>, tailSubparts: Int

        /// Its cuts of the part on the finest level, of `cuts`.
        package var cut: Range<Int> { subpart * tailSubparts + tailCut.lowerBound..<subpart * tailSubparts + tailCut.upperBound }
        package var cuts: Int { subparts * tailSubparts }

        /// Its part's items in whole units where the tail cuts divide them (and subparts divide
        /// something else).
        package var items: Range<Int> {
            let share = ThreadSplit.share(tailCut, of: tailSubparts, total: (range.count + unit - 1) / unit)
            return range.lowerBound + share.lowerBound * unit..<min(range.upperBound, range.lowerBound + share.upperBound * unit)
        }
    }

    /// The share of `total` things (tile rows, say) that cuts `cut` of `cuts` equal ones cover: the
    /// boundaries rounded up, so earlier cuts are the larger.
    package static func share(_ cut: Range<Int>, of cuts: Int, total: Int) -> Range<Int> {
        (total * cut.lowerBound + cuts - 1) / cuts..<(total * cut.upperBound + cuts - 1) / cuts
    }
}
