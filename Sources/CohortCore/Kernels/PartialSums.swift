/// Per-thread partial results laid out one after another (part p at `base + p·count`), summed
/// in a fixed order, so a reduction over a rank's threads is deterministic for a given thread count.
package enum PartialSums {
    /// part 0 += part 1 + … + part (parts−1), element by element, split across `threads`.
    package static func addParts(_ base: UnsafeMutablePointer<Float>, parts: Int, count: Int, threads: Int) {
        guard parts > 1 else { return }
        add(parts: base + count, parts: parts - 1, count: count, into: base, threads: threads)
    }

    /// `target` += part 0 + … + part (parts−1) of `base`.
    package static func add(parts base: UnsafePointer<Float>, parts: Int, count: Int, into target: UnsafeMutablePointer<Float>, threads: Int) {
        guard parts > 0 else { return }
        ThreadSplit.forEachRange(count, threads: threads, minimumPerThread: 4096) { range in
            for part in 0..<parts {
                let source = base + part &* count
                for i in range { target[i] += source[i] }
            }
        }
    }
}
