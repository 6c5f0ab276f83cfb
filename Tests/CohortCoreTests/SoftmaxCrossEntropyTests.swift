import CohortCore
import Testing

@Suite struct SoftmaxCrossEntropyTests {
    /// 1000 classes, 16 rows: the rows split over 3 threads (a split that does not divide them
    /// evenly) give bit for bit the loss, count and gradient of 1 thread, and each row's gradient
    /// still sums to zero (softmax and the smoothed target both sum to one).
    @Test func rowsSplitAcrossThreadsComputeWhatOneThreadDoes() throws {
        let rows = 16, classes = 1000
        let logits = Tensor(shape: [rows, classes], values: (0..<rows * classes).map { Float(sin(Double($0) * 0.37)) * 4 })
        let labels = (0..<rows).map { Int32($0 * 61 % classes) }
        let one = SoftmaxCrossEntropy(labelSmoothing: 0.1), three = SoftmaxCrossEntropy(labelSmoothing: 0.1)
        let serial = try one.compute(logits: logits, labels: labels, divisor: rows)
        let split = try three.compute(logits: logits, labels: labels, divisor: rows, threads: 3)
        #expect(split.lossSum == serial.lossSum)
        #expect(split.correct == serial.correct)
        #expect(Array(three.gradient.values) == Array(one.gradient.values))
        for row in 0..<rows {
            let sum = three.gradient.values[(row * classes)..<((row + 1) * classes)].reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum) < 1e-6, "row \(row): gradient sums to \(sum)")
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
