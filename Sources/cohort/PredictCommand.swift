import ArgumentParser
import CohortCore
import CohortData
import CohortTraining
import Foundation

/// `cohort predict`: the top classes of image files, with names from the checkpoint.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "predict", abstract: "Classify image files with a checkpoint.")

    @Option(help: "Checkpoint file (.safetensors).") var checkpoint: String
    @Argument(help: "JPEG or PNG files.") var images: [String]
    @Option(help: "Classes to show per image.") var top = 3

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1 (got \(top))") }
        guard !images.isEmpty else { throw ValidationError("give at least one image file") }
    }

    func run() throws {
        let (network, state) = try CheckpointModel.load(checkpoint)
        let shape = ImageShape(channels: state.inputShape[0], height: state.inputShape[1], width: state.inputShape[2])
        // IDX-trained models saw whole images scaled to [0, 1]; ImageFolder-trained ones centre crops with ImageNet statistics.
        let idx = state.datasetIdentity.hasPrefix("idx:")
        let input = Tensor(zeros: network.inputShape.batched(1))
        let context = Context(mode: .inference)
        for path in images {
            let pixels = try ImageFolderDataset.loadFile(path, shape: shape, normalization: idx ? .unit : .imageNet,
                                                         centerFraction: idx ? 1 : ImageFolderDataset.centerFraction)
            _ = input.values.update(fromContentsOf: pixels)
            let logits = try network.forward(input, context: context).array
            let maxLogit = logits.max() ?? 0
            let exps = logits.map { exp(Double($0 - maxLogit)) }
            let total = exps.reduce(0, +)
            let ranked = exps.enumerated().sorted { $0.element > $1.element }.prefix(top)
            print(path + ": " + ranked.map { "\(state.classNames[$0.offset]) \(String(format: "%.3f", $0.element / total))" }.joined(separator: ", "))
        }
    }
}
