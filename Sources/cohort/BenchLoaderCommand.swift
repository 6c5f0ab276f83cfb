import ArgumentParser
import CohortData
import CohortModels
import Foundation

/// `cohort bench-loader`: how fast the data pipeline decodes, augments and resizes a dataset's
/// training images (no model), with 1 thread and with `--threads`, so it can be set beside the
/// img/s a model consumes (`cohort bench`).
struct BenchLoaderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-loader", abstract: "Measure data-loading throughput (decode + augment + resize) of a dataset.")

    @OptionGroup var data: DataOptions
    @Option(help: "Zoo model whose default input shape the images are made for.") var model = "resnet50"
    @Option(help: "Augmentations: any of flip,shift,rotate,crop (comma separated).") var augment = "crop,flip"
    @Option(name: .customLong("batch-size"), help: "Images per batch.") var batchSize = 64
    @Option(help: "Images to load per measurement (default: up to 2,000).") var images = 2000
    @Option(help: "Largest thread count to measure (default: the machine's cores).") var threads: Int?

    func run() throws {
        let entry = try ModelZoo.entry(named: model)
        let splits = try data.open(for: entry)
        let dataset = splits.train
        let augmentation = try Augmentation.parse(augment)
        let count = min(images, dataset.count)
        guard count >= 1 else { throw ValidationError("the dataset has no training images") }
        let batches = stride(from: 0, to: count, by: batchSize).map { Array($0..<min($0 + batchSize, count)) }
        let most = threads ?? ProcessInfo.processInfo.activeProcessorCount
        print("bench-loader: \(count) images of \(dataset.imageShape.channels)×\(dataset.imageShape.height)×\(dataset.imageShape.width), augment '\(augment)'")
        for threadCount in Array(Set([1, most])).sorted() {
            let loader = BatchLoader(dataset: dataset, batches: batches, augmentation: augmentation, seed: 1, epoch: 0, threads: threadCount)
            let start = ProcessInfo.processInfo.systemUptime
            var loaded = 0
            while let batch = try loader.next() { loaded += batch.count }
            let seconds = ProcessInfo.processInfo.systemUptime - start
            print(String(format: "threads %d: %.1f img/s (%.1f per thread), %d images in %.2f s",
                         threadCount, Double(loaded) / seconds, Double(loaded) / seconds / Double(threadCount), loaded, seconds))
        }
        if let packed = dataset as? PackedDataset {
            print("packed: \(packed.openedShards) shard file(s) opened for all passes (a folder opens one file per image per pass)")
        }
    }
}
