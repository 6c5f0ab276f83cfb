/// Predicts data-parallel throughput at N nodes from one node's measured step and a network: a
/// ring allreduce of the gradient moves 2(N−1)/N of its bytes through each node's link and takes
/// 2(N−1) latency hops; with overlap, backward hides communication up to its own length
/// (step = forward + max(backward, allreduce) + optimizer), without it they add up. Compute per
/// node is taken as constant (weak scaling: the same local batch on every node).
package struct ScalingModel: Sendable {
    /// One node's measured milliseconds per step, and the images each node processes per step.
    package var forwardMilliseconds: Double
    package var backwardMilliseconds: Double
    package var optimizerMilliseconds: Double
    package var imagesPerNode: Int
    /// Bytes of one gradient allreduce at full width (4 × parameters).
    package var gradientBytes: Double
    /// Link bandwidth in bits per second, and latency per ring hop in seconds.
    package var bitsPerSecond: Double
    package var hopLatency: Double

    package init(forwardMilliseconds: Double, backwardMilliseconds: Double, optimizerMilliseconds: Double, imagesPerNode: Int,
                 gradientBytes: Double, bitsPerSecond: Double, hopLatency: Double) {
        (self.forwardMilliseconds, self.backwardMilliseconds, self.optimizerMilliseconds) = (forwardMilliseconds, backwardMilliseconds, optimizerMilliseconds)
        self.imagesPerNode = imagesPerNode
        self.gradientBytes = gradientBytes
        (self.bitsPerSecond, self.hopLatency) = (bitsPerSecond, hopLatency)
    }

    /// One row of the prediction.
    package struct Prediction: Sendable, Equatable {
        package var nodes: Int
        package var allreduceMilliseconds: Double
        package var stepMilliseconds: Double
        package var imagesPerSecond: Double
        /// Throughput over N × one node's throughput without communication.
        package var efficiency: Double
    }

    /// Milliseconds of one ring allreduce over `nodes` nodes; `compressed`: 16-bit values.
    package func allreduceMilliseconds(nodes: Int, compressed: Bool) -> Double {
        guard nodes > 1 else { return 0 }
        let n = Double(nodes), bytes = gradientBytes * (compressed ? 0.5 : 1)
        return (2 * (n - 1) / n * bytes * 8 / bitsPerSecond + 2 * (n - 1) * hopLatency) * 1000
    }

    package func predict(nodes: Int, overlap: Bool, compressed: Bool) -> Prediction {
        let communication = allreduceMilliseconds(nodes: nodes, compressed: compressed)
        let step = forwardMilliseconds + optimizerMilliseconds
            + (overlap ? max(backwardMilliseconds, communication) : backwardMilliseconds + communication)
        let alone = forwardMilliseconds + backwardMilliseconds + optimizerMilliseconds
        return Prediction(nodes: nodes, allreduceMilliseconds: communication, stepMilliseconds: step,
                          imagesPerSecond: Double(nodes * imagesPerNode) / step * 1000, efficiency: alone / step)
    }

    /// The smallest of `nodes` at which efficiency falls below one half, if any.
    package func stopsScaling(at nodes: [Int], overlap: Bool, compressed: Bool) -> Int? {
        nodes.first { predict(nodes: $0, overlap: overlap, compressed: compressed).efficiency < 0.5 }
    }

    /// Parses a link rate such as `100mbit`, `1gbit`, `25gbit` or `10000000` (bits per second).
    package static func bitsPerSecond(_ text: String) -> Double? {
        let lower = text.lowercased()
        for (suffix, scale) in [("gbit", 1e9), ("mbit", 1e6), ("kbit", 1e3), ("bit", 1.0)] where lower.hasSuffix(suffix) {
            return Double(lower.dropLast(suffix.count)).map { $0 * scale }.flatMap { $0 > 0 ? $0 : nil }
        }
        return Double(lower).flatMap { $0 > 0 ? $0 : nil }
    }
}
