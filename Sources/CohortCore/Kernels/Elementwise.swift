/// Element-by-element loops over whole tensors, split across a rank's threads.
package enum Elementwise {
    /// Elements below which splitting across threads costs more than it saves.
    package static let minimumPerThread = 16_384

    /// y[i] = a[i] + b[i] (y may be a or b).
    package static func add(_ a: UnsafeMutableBufferPointer<Float>, _ b: UnsafeMutableBufferPointer<Float>,
                            into y: UnsafeMutableBufferPointer<Float>, threads: Int) {
        ThreadSplit.forEachRange(y.count, threads: threads, minimumPerThread: minimumPerThread) { range in
            for i in range { y[i] = a[i] + b[i] }
        }
    }

    /// Sets `count` floats at `target` to zero.
    package static func zero(_ target: UnsafeMutablePointer<Float>, count: Int, threads: Int) {
        ThreadSplit.forEachRange(count, threads: threads, minimumPerThread: minimumPerThread) { range in
            (target + range.lowerBound).update(repeating: 0, count: range.count)
        }
    }

    /// `count` floats from `source` to `target`.
    package static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int, threads: Int) {
        ThreadSplit.forEachRange(count, threads: threads, minimumPerThread: minimumPerThread) { range in
            (target + range.lowerBound).update(from: source + range.lowerBound, count: range.count)
        }
    }
}
