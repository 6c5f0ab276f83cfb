import CohortCore
import CohortData
import CohortDistributed

/// Loss and accuracy over a dataset split, reduced across ranks by counts (not means of means).
public struct EvaluationResult: Sendable, Equatable {
    public var lossSum: Double
    public var correct: Int
    public var top5Correct: Int
    public var samples: Int
    public var perClassCorrect: [Int]
    public var perClassSamples: [Int]

    public var loss: Double { samples > 0 ? lossSum / Double(samples) : .nan }
    public var accuracy: Double { samples > 0 ? Double(correct) / Double(samples) : .nan }
    public var top5Accuracy: Double { samples > 0 ? Double(top5Correct) / Double(samples) : .nan }
}

/// Evaluates a network in inference mode; every sample is visited exactly once across ranks.
public enum Evaluator {
    public static func evaluate(network: Network, dataset: any ImageDataset, communicator: any Communicator,
                                localBatch: Int, threads: Int) throws -> EvaluationResult {
        let classes = network.outputShape.count
        let batches = ShardSampler.evaluationBatches(count: dataset.count, worldSize: communicator.size, rank: communicator.rank,
                                                     batchSize: max(localBatch, 1))
        let loader = BatchLoader(dataset: dataset, batches: batches, augmentation: .none, seed: 0, epoch: 0, threads: threads)
        let loss = SoftmaxCrossEntropy()
        let context = Context(mode: .inference, threads: threads)
        let input = Tensor(zeros: [0])
        var lossSum = 0.0, correct = 0, top5 = 0, samples = 0
        var perClass = [Double](repeating: 0, count: 2 * classes)
        while let batch = try loader.next() {
            input.resize(to: network.inputShape.batched(batch.count))
            _ = input.values.update(fromContentsOf: batch.images)
            let logits = try network.forward(input, context: context)
            let result = try loss.compute(logits: logits, labels: batch.labels, divisor: 1)
            lossSum += result.lossSum
            correct += result.correct
            top5 += Accuracy.topK(logits: logits, labels: batch.labels, k: min(5, classes))
            samples += batch.count
            for (i, label) in batch.labels.enumerated() {
                perClass[classes + Int(label)] += 1
                if Accuracy.isTop1(logits: logits, row: i, label: Int(label)) { perClass[Int(label)] += 1 }
            }
        }
        var totals = [lossSum, Double(correct), Double(top5), Double(samples)] + perClass
        try totals.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
        return EvaluationResult(lossSum: totals[0], correct: Int(totals[1]), top5Correct: Int(totals[2]), samples: Int(totals[3]),
                                perClassCorrect: totals[4..<(4 + classes)].map { Int($0) },
                                perClassSamples: totals[(4 + classes)...].map { Int($0) })
    }
}

extension Accuracy {
    /// Whether row `row` of the logits has its maximum at `label`.
    static func isTop1(logits: Tensor, row: Int, label: Int) -> Bool {
        let classes = logits.shape.sampleCount, z = logits.values, base = row * classes
        var best = 0
        for j in 1..<classes where z[base + j] > z[base + best] { best = j }
        return best == label
    }
}
