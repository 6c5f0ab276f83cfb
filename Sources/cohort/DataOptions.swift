import ArgumentParser
import CohortData
import CohortModels
import Foundation

/// The dataset flags shared by train, evaluate and bench.
struct DataOptions: ParsableArguments {
    @Option(help: "IDX directory, ImageFolder (train/<class>/*) or packed ImageFolder (cohort pack). Default: the packaged Fashion-MNIST.") var data: String?
    @Option(name: .customLong("image-size"), help: "Input size for ImageFolder data (default: the model's).") var imageSize: Int?
    @Option(help: "First N training images become the validation split.") var holdout = 0
    @Option(help: "Use only the first N training samples.") var limit: Int?
    @Option(name: .customLong("eval-limit"), help: "Evaluate on only the first N validation and test samples.") var evalLimit: Int?
    @Flag(name: .customLong("skip-bad"), help: "Skip undecodable images with a counted warning instead of failing.") var skipBad = false

    func validate() throws {
        guard holdout >= 0 else { throw ValidationError("--holdout must not be negative (got \(holdout))") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1 (got \(limit))") }
        if let evalLimit, evalLimit < 1 { throw ValidationError("--eval-limit must be at least 1 (got \(evalLimit))") }
        if let imageSize, imageSize < 1 { throw ValidationError("--image-size must be at least 1 (got \(imageSize))") }
    }

    /// Opens the splits; ImageFolder images are decoded to the model's channels and `--image-size`.
    func open(for entry: ModelZoo.Entry) throws -> DatasetSplits {
        let defaultInput = entry.defaultInput
        let size = imageSize ?? defaultInput[1]
        let shape = ImageShape(channels: defaultInput[0] == 1 ? 1 : 3, height: size, width: size)
        let splits = try DatasetOpener.open(directory: data, imageShape: imageSize == nil && !isImageFolder ? nil : shape,
                                            holdout: holdout, limit: limit, skipBad: skipBad)
        return evalLimit.map { splits.limitingEvaluation(to: $0) } ?? splits
    }

    /// Whether `--data` is an ImageFolder (has `train/`) or a packed one (has its index); IDX data keeps its native
    /// 28×28 unless --image-size is given.
    private var isImageFolder: Bool {
        let directory = data ?? DatasetOpener.defaultDirectory
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: directory + "/train", isDirectory: &isDirectory) && isDirectory.boolValue
            || PackIndex.exists(in: directory)
    }
}
