#if canImport(Glibc)
import Glibc
#endif

/// Softmax + sparse categorical cross-entropy, fused and numerically stable (log-sum-exp), with
/// optional label smoothing ε (target = (1 − ε)·onehot + ε/K).
///
/// logits [N, K], labels N class indices. `compute` returns the loss **sum** over the samples and
/// writes dL/dlogits = (softmax − target) / `divisor` into `gradient`; with divisor = the global
/// batch size, allreduce-summing gradients across ranks gives the mean over the global batch.
package final class SoftmaxCrossEntropy {
    package let labelSmoothing: Float
    /// dL/dlogits of the last `compute`.
    package let gradient = Tensor(zeros: [0])

    package init(labelSmoothing: Float = 0) { self.labelSmoothing = labelSmoothing }

    /// The result for one batch: summed loss and the count of correct top-1 predictions.
    package struct Result: Sendable {
        package var lossSum: Double
        package var correct: Int
    }

    /// Rows split across `threads` threads; the loss sum adds the rows in order, so it does not
    /// depend on the thread count.
    package func compute(logits: Tensor, labels: [Int32], divisor: Int, threads: Int = 1) throws -> Result {
        let n = logits.shape.batch, k = logits.shape.sampleCount
        guard labels.count == n else { throw CoreError.invalidArgument("loss: \(labels.count) labels for \(n) samples") }
        if let label = labels.first(where: { $0 < 0 || Int($0) >= k }) {
            throw CoreError.invalidArgument("loss: label \(label) outside 0..<\(k)")
        }
        gradient.resize(to: logits.shape)
        let z = logits.values, g = gradient.values
        let smooth = labelSmoothing / Float(k), scale = 1 / Float(max(divisor, 1))
        return labels.withUnsafeBufferPointer { labels in
            withUnsafeTemporaryAllocation(of: (loss: Double, correct: Bool).self, capacity: n) { rows in
                ThreadSplit.forEachRange(n, threads: threads, minimumPerThread: max(1, Self.minimumPerThread / k)) { range in
                    for i in range {
                        let label = Int(labels[i]), row = i * k
                        var maxValue = z[row], argmax = 0
                        for j in 1..<k where z[row + j] > maxValue { maxValue = z[row + j]; argmax = j }
                        var sumExp = 0.0
                        for j in 0..<k { sumExp += exp(Double(z[row + j] - maxValue)) }
                        let logSum = log(sumExp) + Double(maxValue)
                        var sampleLoss = 0.0
                        for j in 0..<k {
                            let target = (j == label ? 1 - labelSmoothing : 0) + smooth
                            let logP = Double(z[row + j]) - logSum
                            if target > 0 { sampleLoss -= Double(target) * logP }
                            g[row + j] = (Float(exp(logP)) - target) * scale
                        }
                        rows[i] = (sampleLoss, argmax == label)
                    }
                }
                var result = Result(lossSum: 0, correct: 0)
                for row in rows {
                    result.lossSum += row.loss
                    if row.correct { result.correct += 1 }
                }
                return result
            }
        }
    }

    /// Logits per thread below which splitting the rows costs more than it saves (each costs two `exp`).
    private static let minimumPerThread = 2_048
}

/// Accuracy helpers on logits [N, K].
package enum Accuracy {
    /// How many samples have their label among the `k` largest logits.
    package static func topK(logits: Tensor, labels: [Int32], k: Int) -> Int {
        let classes = logits.shape.sampleCount, z = logits.values
        var hits = 0
        for i in 0..<logits.shape.batch {
            let row = i * classes, target = z[row + Int(labels[i])]
            var larger = 0
            for j in 0..<classes where z[row + j] > target || (z[row + j] == target && j < Int(labels[i])) { larger += 1 }
            if larger < k { hits += 1 }
        }
        return hits
    }
}
