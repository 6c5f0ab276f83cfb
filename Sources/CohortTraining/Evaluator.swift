import CohortCore
import CohortData
import CohortDistributed

/// Loss and accuracy over a dataset split, reduced across ranks by counts (not means of means).
package struct EvaluationResult: Sendable, Equatable, RankSum {
    package var lossSum = 0.0
    package var correct = 0
    package var top5Correct = 0
    package var samples = 0
    package var perClassCorrect: [Int]
    package var perClassSamples: [Int]

    /// Nothing counted yet, over `classes` classes.
    package init(classes: Int) {
        perClassCorrect = Array(repeating: 0, count: classes)
        perClassSamples = Array(repeating: 0, count: classes)
    }

    package var summands: [Double] {
        [lossSum, Double(correct), Double(top5Correct), Double(samples)] + perClassCorrect.map(Double.init) + perClassSamples.map(Double.init)
    }

    package init(summands: [Double]) {
        let classes = (summands.count - 4) / 2
        lossSum = summands[0]
        (correct, top5Correct, samples) = (Int(summands[1]), Int(summands[2]), Int(summands[3]))
        perClassCorrect = summands[4..<(4 + classes)].map { Int($0) }
        perClassSamples = summands[(4 + classes)...].map { Int($0) }
    }

    package var loss: Double { samples > 0 ? lossSum / Double(samples) : .nan }
    package var accuracy: Double { samples > 0 ? Double(correct) / Double(samples) : .nan }
    package var top5Accuracy: Double { samples > 0 ? Double(top5Correct) / Double(samples) : .nan }
}

/// Evaluates a network in inference mode; every sample is visited exactly once across ranks.
package enum Evaluator {
    package static func evaluate(network: Network, dataset: any ImageDataset, communicator: any Communicator,
                                localBatch: Int, threads: Int) throws -> EvaluationResult {
        let classes = network.outputShape.count
        let batches = ShardSampler.evaluationBatches(count: dataset.count, worldSize: communicator.size, rank: communicator.rank,
                                                     batchSize: max(localBatch, 1))
        let loader = BatchLoader(dataset: dataset, batches: batches, augmentation: .none, seed: 0, epoch: 0, threads: threads)
        let loss = SoftmaxCrossEntropy()
        let context = Context(mode: .inference, threads: threads)
        let input = Tensor(zeros: [0])
        var counts = EvaluationResult(classes: classes)
        while let batch = try loader.next() {
            input.resize(to: network.inputShape.batched(batch.count))
            _ = input.values.update(fromContentsOf: batch.images)
            let logits = try network.forward(input, context: context)
            let result = try loss.compute(logits: logits, labels: batch.labels, divisor: 1, threads: threads)
            counts.lossSum += result.lossSum
            counts.correct += result.correct
            counts.top5Correct += Accuracy.topK(logits: logits, labels: batch.labels, k: min(5, classes))
            counts.samples += batch.count
            for (i, label) in batch.labels.enumerated() {
                counts.perClassSamples[Int(label)] += 1
                if Accuracy.isTop1(logits: logits, row: i, label: Int(label)) { counts.perClassCorrect[Int(label)] += 1 }
            }
        }
        return try communicator.sum(counts)
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
