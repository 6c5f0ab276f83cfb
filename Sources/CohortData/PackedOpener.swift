import Foundation

/// Opens a packed directory (`cohort pack`'s output, recognised by its `index.json`) as the splits of the ImageFolder
/// it was packed from: same sample order, labels, class names, holdout and limit. An unresized pack has the
/// folder's dataset identity, so a run can move between the two; a resized one says `packed resize=N`.
enum PackedOpener {
    static func open(root: String, imageShape: ImageShape?, holdout: Int, limit: Int?, skipBad: Bool) throws -> DatasetSplits {
        guard let shape = imageShape else {
            throw DataError.invalidOption("\(root): a packed ImageFolder dataset needs the model's input shape (no native size)")
        }
        guard shape.channels == 1 || shape.channels == 3 else {
            throw DataError.invalidOption("\(root): image shape \(shape): ImageFolder samples can be 1 or 3 channels")
        }
        let index = try PackIndex.read(from: root)
        var damaged: [String] = []
        func split(_ name: String) throws -> PackedDataset? {
            guard index.splits[name] != nil else { return nil }
            var data = PackedDataset(index: index, split: name, directory: root, imageShape: shape)
            if skipBad {
                let failures = PackVerifier.damaged(data)
                damaged += failures.map(\.1)
                let bad = Set(failures.map(\.0))
                data = data.subset((0..<data.count).filter { !bad.contains($0) })
                if let empty = index.classNames.indices.first(where: { label in !data.labels.contains(Int32(label)) }) {
                    throw DataError.emptyClass(path: "\(root) (split \(name), class \(index.classNames[empty]))")
                }
            }
            return data
        }
        var train = try split("train")!
        var validation = try split("val")
        let test = try split("test")
        (train, validation) = try ImageFolderOpener.arrange(train: train, validation: validation, root: root, holdout: holdout, limit: limit)
        var warnings: [String] = []
        if !damaged.isEmpty {
            let first = damaged.prefix(5).joined(separator: "; ")
            warnings.append("skipped \(damaged.count) damaged packed sample\(damaged.count == 1 ? "" : "s") (--skip-bad): \(first)\(damaged.count > 5 ? "; …" : "")")
        }
        var identity = ImageFolderOpener.identity(shape: shape, train: train, validation: validation, test: test)
        if let resize = index.resize { identity = "packed resize=\(resize) quality=\(index.quality ?? 0) " + identity }
        return DatasetSplits(train: train, validation: validation, test: test, identity: identity, warnings: warnings)
    }
}
