import Foundation

/// Opens `--data DIR`: an IDX directory (MNIST family), an ImageFolder (`train/<class>/*`, plus `val/` or `test/`) or a
/// packed ImageFolder (`cohort pack`: tar shards + `index.json`).
package enum DatasetOpener {
    /// Where Debian's `dataset-fashion-mnist` installs its files; the default when `--data` is absent.
    package static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

    /// - Parameters:
    ///   - directory: the dataset directory; nil = `defaultDirectory`.
    ///   - imageShape: what samples are written as; nil = the dataset's native shape (IDX 1×28×28). Required for ImageFolder.
    ///   - holdout: the first `holdout` training samples become the validation split (0 = none; ImageFolder uses `val/` instead when present).
    ///   - limit: keep only the first `limit` training samples (after the holdout).
    ///   - skipBad: ImageFolder files that fail to decode are dropped and counted in `warnings` instead of failing.
    package static func open(directory: String?, imageShape: ImageShape?, holdout: Int, limit: Int?,
                            skipBad: Bool) throws -> DatasetSplits {
        let dir = directory ?? defaultDirectory
        guard holdout >= 0 else { throw DataError.invalidOption("--holdout \(holdout): must be 0 or more") }
        if let limit, limit <= 0 { throw DataError.invalidOption("--limit \(limit): must be positive") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError.badLayout(path: dir, reason: "no such directory")
        }
        if PackIndex.exists(in: dir) {
            return try PackedOpener.open(root: dir, imageShape: imageShape, holdout: holdout, limit: limit, skipBad: skipBad)
        }
        if let idx = IDXLayout(directory: dir) {
            return try openIDX(idx, imageShape: imageShape, holdout: holdout, limit: limit)
        }
        if FileManager.default.fileExists(atPath: dir + "/train") {
            return try ImageFolderOpener.open(root: dir, imageShape: imageShape, holdout: holdout, limit: limit, skipBad: skipBad)
        }
        if (try? FileManager.default.contentsOfDirectory(atPath: dir))?.contains(DatasetPacker.shardName(split: "train", number: 0)) == true {
            throw DataError.badLayout(path: dir, reason: "shards without \(PackIndex.fileName): an interrupted `cohort pack`; run it again")
        }
        throw DataError.badLayout(path: dir, reason: "neither a packed dataset (\(PackIndex.fileName)) nor an IDX dataset (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]) nor an ImageFolder (train/<class>/*.jpg|png)")
    }

    static func openIDX(_ layout: IDXLayout, imageShape: ImageShape?, holdout: Int, limit: Int?) throws -> DatasetSplits {
        let names = layout.directory.lowercased().contains("fashion") ? IDXDataset.fashionClassNames : IDXDataset.digitClassNames
        let full = try IDXDataset(images: layout.trainImages, labels: layout.trainLabels, classNames: names, imageShape: imageShape)
        guard holdout < full.count else {
            throw DataError.invalidOption("--holdout \(holdout) leaves no training samples (\(full.count) in \(layout.trainImages))")
        }
        let validation = holdout > 0 ? full.subset(0..<holdout) : nil
        var train = full.subset(holdout..<full.count)
        if let limit, limit < train.count { train = train.subset(0..<limit) }
        var test: IDXDataset?
        if let images = layout.testImages, let labels = layout.testLabels {
            test = try IDXDataset(images: images, labels: labels, classNames: names, imageShape: imageShape)
        }
        let kind = names == IDXDataset.fashionClassNames ? "fashion-mnist" : "mnist"
        let identity = "idx:\(kind) shape=\(train.imageShape) train=\(train.count) val=\(validation?.count ?? 0) test=\(test?.count ?? 0) classes=\(names.joined(separator: ","))"
        return DatasetSplits(train: train, validation: validation, test: test, identity: identity)
    }
}

/// The files of an IDX directory; nil when the directory holds no IDX training pair.
struct IDXLayout {
    let directory: String
    let trainImages: String, trainLabels: String
    let testImages: String?, testLabels: String?

    init?(directory: String) {
        func find(_ stem: String) -> String? {
            for name in [stem, stem + ".gz", stem.replacingOccurrences(of: "-idx", with: ".idx"),
                         stem.replacingOccurrences(of: "-idx", with: ".idx") + ".gz"] {
                let path = directory + "/" + name
                if FileManager.default.fileExists(atPath: path) { return path }
            }
            return nil
        }
        guard let images = find("train-images-idx3-ubyte"), let labels = find("train-labels-idx1-ubyte") else { return nil }
        self.directory = directory
        trainImages = images
        trainLabels = labels
        testImages = find("t10k-images-idx3-ubyte")
        testLabels = find("t10k-labels-idx1-ubyte")
    }
}
