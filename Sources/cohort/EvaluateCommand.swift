import ArgumentParser
import CohortCore
import CohortData
import CohortDistributed
import CohortModels
import CohortTraining
import Foundation

/// `cohort evaluate`: loss, top-1, top-5 and per-class accuracy of a checkpoint on a split.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "evaluate", abstract: "Evaluate a checkpoint on a dataset split.")

    @Option(help: "Checkpoint file (.safetensors).") var checkpoint: String
    @OptionGroup var data: DataOptions
    @Option(help: "Dataset split.") var split = SplitName.test
    @Option(name: .customLong("batch-size"), help: "Global evaluation batch size.") var batchSize = 256
    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "Threads per rank.") var threads: Int?

    func run() throws {
        try DistributedRun.run(stallTimeout: nil, threads: threads) { communicator, threadCount in
            let (network, state) = try CheckpointModel.load(checkpoint)
            let entry = try ModelZoo.entry(named: state.model)
            var options = data
            if options.imageSize == nil, state.inputShape.count == 3, state.inputShape[1] != entry.defaultInput[1] {
                options.imageSize = state.inputShape[1]
            }
            let splits = try options.open(for: entry)
            let dataset: (any ImageDataset)?
            switch split {
            case .train: dataset = splits.train
            case .val: dataset = splits.validation
            case .test: dataset = splits.test ?? splits.validation
            }
            guard let dataset else { throw ValidationError("the dataset has no '\(split.rawValue)' split (use --holdout N for a validation split of IDX data)") }
            guard dataset.classNames == state.classNames else {
                throw ValidationError("the checkpoint's classes \(state.classNames.prefix(5))… differ from the dataset's \(dataset.classNames.prefix(5))…")
            }
            let result = try Evaluator.evaluate(network: network, dataset: dataset, communicator: communicator,
                                                localBatch: max(1, batchSize / communicator.size), threads: threadCount)
            guard communicator.rank == 0 else { return 0 }
            let perClass = zip(result.perClassCorrect, result.perClassSamples).map { $1 > 0 ? Double($0) / Double($1) : 0 }
            if json {
                let object: [String: Any] = [
                    "loss": result.loss, "accuracy": result.accuracy, "top5_accuracy": result.top5Accuracy, "samples": result.samples,
                    "split": split.rawValue, "checkpoint": checkpoint,
                    "per_class_accuracy": Dictionary(uniqueKeysWithValues: zip(state.classNames, perClass)),
                ]
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                print("\(split.rawValue) split: " + String(format: "loss %.4f  accuracy %.4f  top-5 %.4f  (%d samples)",
                                                    result.loss, result.accuracy, result.top5Accuracy, result.samples))
                for (name, accuracy) in zip(state.classNames, perClass) {
                    print("  " + name.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: " %.4f", accuracy))
                }
            }
            return 0
        }
    }
}
