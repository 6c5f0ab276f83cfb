import ArgumentParser
import CohortCore
import CohortData
import CohortDistributed
import CohortTraining
import Foundation

/// `cohort predict`: the top classes of image files, with names from the checkpoint.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "predict", abstract: "Classify image files with a checkpoint.")

    @Option(help: "Checkpoint file (.safetensors).") var checkpoint: String
    @Argument(help: "JPEG or PNG files, or folders searched recursively for .jpg, .jpeg and .png files.") var images: [String]
    @Option(help: "Classes to show per image.") var top = 3
    @Flag(help: "Print one JSON object: the class names and, per image, its path, top class, and every class's probability and logit.")
    var json = false
    @Option(name: .customLong("batch-size"), help: "Images per forward pass.") var batchSize = 32
    @Option(help: "Threads (default: every core this process may run on).") var threads: Int?

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1 (got \(top))") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1 (got \(batchSize))") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
        guard !images.isEmpty else { throw ValidationError("give at least one image file or folder") }
    }

    /// One image's result, as `--json` prints it.
    struct Prediction: Encodable {
        var path: String
        var topClass: String
        var topIndex: Int
        /// Softmax of the logits, computed in double precision.
        var probabilities: [Double]
        var logits: [Float]

        enum CodingKeys: String, CodingKey {
            case path, topClass = "top_class", topIndex = "top_index", probabilities, logits
        }
    }

    /// What `--json` prints.
    struct Report: Encodable {
        var checkpoint: String
        var model: String
        var classNames: [String]
        var predictions: [Prediction]

        enum CodingKeys: String, CodingKey {
            case checkpoint, model, classNames = "class_names", predictions
        }
    }

    func run() throws {
        let files = try ImageFileSearch.expand(images)
        let (network, state) = try CheckpointModel.load(checkpoint)
        let shape = ImageShape(channels: state.inputShape[0], height: state.inputShape[1], width: state.inputShape[2])
        let (normalization, centerFraction) = CheckpointModel.preprocessing(state)
        let threadCount = ThreadPlan.threadsForThisProcess(localSize: 1, override: threads)
        let context = Context(mode: .inference, threads: threadCount)
        let classes = network.outputShape.count, perImage = network.inputShape.count
        var predictions: [Prediction] = []
        for start in stride(from: 0, to: files.count, by: batchSize) {
            let batch = files[start..<min(start + batchSize, files.count)]
            let input = Tensor(zeros: network.inputShape.batched(batch.count))
            for (index, path) in batch.enumerated() {
                let pixels = try ImageFolderDataset.loadFile(path, shape: shape, normalization: normalization, centerFraction: centerFraction)
                _ = UnsafeMutableBufferPointer(rebasing: input.values[(index * perImage)..<((index + 1) * perImage)]).update(fromContentsOf: pixels)
            }
            let output = try network.forward(input, context: context).array
            for (index, path) in batch.enumerated() {
                let prediction = Self.predict(path: path, logits: Array(output[(index * classes)..<((index + 1) * classes)]), state: state)
                if json { predictions.append(prediction) } else { print(describe(prediction, state: state)) }
            }
        }
        if json {
            let report = Report(checkpoint: checkpoint, model: state.model,
                                classNames: (0..<classes).map { CheckpointModel.className(state, $0) }, predictions: predictions)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
    }

    /// The softmax of `logits` and the most probable class.
    static func predict(path: String, logits: [Float], state: CheckpointState) -> Prediction {
        let maxLogit = Double(logits.max() ?? 0)
        let exps = logits.map { exp(Double($0) - maxLogit) }
        let total = exps.reduce(0, +)
        let probabilities = exps.map { $0 / total }
        let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
        return Prediction(path: path, topClass: CheckpointModel.className(state, best), topIndex: best,
                          probabilities: probabilities, logits: logits)
    }

    /// `path: class p, class p, …` for the `top` most probable classes.
    func describe(_ prediction: Prediction, state: CheckpointState) -> String {
        let ranked = prediction.probabilities.enumerated().sorted { $0.element > $1.element }.prefix(top)
        return prediction.path + ": " + ranked.map { "\(CheckpointModel.className(state, $0.offset)) \(String(format: "%.3f", $0.element))" }
            .joined(separator: ", ")
    }
}
