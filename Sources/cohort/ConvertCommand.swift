import ArgumentParser
import CohortData

/// `cohort convert`: writes an IDX dataset as an ImageFolder (train/ and test/, one folder per class).
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "convert", abstract: "Write an IDX dataset as an ImageFolder.")

    @Option(help: "IDX directory (default: the packaged Fashion-MNIST).") var data = DatasetOpener.defaultDirectory
    @Option(help: "Output directory.") var out: String
    @Option(help: "png (lossless) or jpeg.") var format = "png"
    @Option(help: "Convert only the first N images of each split.") var limit: Int?

    func validate() throws {
        guard ImageFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be one of \(ImageFormat.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(format)')")
        }
    }

    func run() throws {
        let counts = try DatasetConverter.convertIDX(from: data, to: out, format: ImageFormat(rawValue: format)!, limit: limit)
        print("wrote \(counts.train) training and \(counts.test) test images to \(out)/train and \(out)/test")
    }
}
