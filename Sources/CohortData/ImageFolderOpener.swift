import CohortRandom
import Foundation

/// Scans an ImageFolder root: `train/<class>/*.{jpg,jpeg,png}` (any case, hidden entries ignored), plus `val/`
/// (validation) and/or `test/`, whose class lists must equal train's.
enum ImageFolderOpener {
    static let extensions: Set<String> = ["jpg", "jpeg", "png"]

    static func open(root: String, imageShape: ImageShape?, holdout: Int, limit: Int?, skipBad: Bool) throws -> DatasetSplits {
        guard let shape = imageShape else {
            throw DataError.invalidOption("\(root): an ImageFolder dataset needs the model's input shape (no native size)")
        }
        guard shape.channels == 1 || shape.channels == 3 else {
            throw DataError.invalidOption("\(root): image shape \(shape): ImageFolder samples can be 1 or 3 channels")
        }
        var skipped: [(String, String)] = []
        func split(_ name: String) throws -> ImageFolderDataset? {
            let dir = root + "/" + name
            guard FileManager.default.fileExists(atPath: dir) else { return nil }
            let (classes, files) = try scan(dir)
            var data = ImageFolderDataset(files: files.map(\.path), labels: files.map(\.label), classNames: classes, imageShape: shape)
            if skipBad {
                let bad = validate(data)
                skipped += bad
                let badPaths = Set(bad.map(\.0))
                data = data.subset(data.files.indices.filter { !badPaths.contains(data.files[$0]) })
                if let empty = classes.indices.first(where: { label in !data.labels.contains(Int32(label)) }) {
                    throw DataError.emptyClass(path: dir + "/" + classes[empty])
                }
            }
            return data
        }
        guard var train = try split("train") else { throw DataError.badLayout(path: root, reason: "no train/ folder") }
        var validation = try split("val")
        let test = try split("test")
        for (name, other) in [("val", validation), ("test", test)] {
            guard let other, other.classNames != train.classNames else { continue }
            let a = Set(train.classNames), b = Set(other.classNames)
            throw DataError.classMismatch(train: root + "/train", other: root + "/" + name,
                                          onlyInTrain: a.subtracting(b).sorted(), onlyInOther: b.subtracting(a).sorted())
        }
        var warnings: [String] = []
        if !skipped.isEmpty {
            let first = skipped.prefix(5).map(\.1).joined(separator: "; ")
            warnings.append("skipped \(skipped.count) unreadable image file\(skipped.count == 1 ? "" : "s") (--skip-bad): \(first)\(skipped.count > 5 ? "; …" : "")")
        }
        (train, validation) = try arrange(train: train, validation: validation, root: root, holdout: holdout, limit: limit)
        return DatasetSplits(train: train, validation: validation, test: test,
                             identity: identity(shape: shape, train: train, validation: validation, test: test), warnings: warnings)
    }

    /// Applies `--holdout` (when there is no validation split yet) and `--limit` to the training split. Both pick
    /// from a fixed shuffle (not the class-sorted file order, which would take whole classes), then keep file order.
    static func arrange<D: ImageDataset & SampleSubsetting>(train: D, validation: D?, root: String, holdout: Int,
                                                            limit: Int?) throws -> (train: D, validation: D?) {
        var train = train, validation = validation
        let order = fixedOrder(train.count)
        if holdout > 0 {
            guard holdout < train.count else {
                throw DataError.invalidOption("--holdout \(holdout) leaves no training samples (\(train.count) in \(root)/train)")
            }
            if validation == nil { validation = train.subset(order[..<holdout].sorted()) }
            train = train.subset(order[holdout...].sorted())
        }
        if let limit, limit < train.count { train = train.subset(fixedOrder(train.count)[..<limit].sorted()) }
        return (train, validation)
    }

    /// The dataset identity of an ImageFolder (and of an unresized packed copy of it, which holds the same images).
    static func identity(shape: ImageShape, train: any ImageDataset, validation: (any ImageDataset)?, test: (any ImageDataset)?) -> String {
        "imagefolder shape=\(shape) train=\(train.count) val=\(validation?.count ?? 0) test=\(test?.count ?? 0) classes=\(train.classNames.joined(separator: ","))"
    }

    /// Sorted class folders and their image files (sorted by name within a class).
    static func scan(_ dir: String) throws -> (classes: [String], files: [(path: String, label: Int32)]) {
        let classes = try visibleEntries(dir).filter { isDirectory(dir + "/" + $0) }
        guard !classes.isEmpty else { throw DataError.badLayout(path: dir, reason: "no class sub-folders") }
        var files: [(path: String, label: Int32)] = []
        for (label, name) in classes.enumerated() {
            let classDir = dir + "/" + name
            let images = try visibleEntries(classDir).filter {
                extensions.contains(($0 as NSString).pathExtension.lowercased()) && !isDirectory(classDir + "/" + $0)
            }
            guard !images.isEmpty else { throw DataError.emptyClass(path: classDir) }
            files += images.map { (classDir + "/" + $0, Int32(label)) }
        }
        return (classes, files)
    }

    /// Decodes every file at the smallest scale; returns the failures (path, error message naming it). Runs on all cores.
    static func validate(_ data: ImageFolderDataset) -> [(String, String)] {
        let results = UnsafeMutableBufferPointer<String?>.allocate(capacity: data.count)
        results.initialize(repeating: nil)
        defer { results.deinitialize().deallocate() }
        let slots = SendableBuffer(results)
        DispatchQueue.concurrentPerform(iterations: data.count) { i in
            do {
                _ = try ImageDecoder.decode(path: data.files[i], channels: data.imageShape.channels, minimumShortSide: 1,
                                            pixelLimit: data.pixelLimit)
            } catch {
                slots.buffer[i] = "\(error)"
            }
        }
        return data.files.indices.compactMap { i in results[i].map { (data.files[i], $0) } }
    }

    /// The entries of `dir` not starting with a dot, sorted.
    static func visibleEntries(_ dir: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw DataError.unreadable(path: dir, reason: "cannot list directory")
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }

    private static func fixedOrder(_ n: Int) -> [Int] {
        var g = SplitMix64(state: 0x1D_F01D)
        var p = Array(0..<n)
        var i = n - 1
        while i > 0 { p.swapAt(i, g.below(i + 1)); i -= 1 }
        return p
    }
}

/// Distinct-index writes from `concurrentPerform` iterations.
private struct SendableBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<String?>
    init(_ buffer: UnsafeMutableBufferPointer<String?>) { self.buffer = buffer }
}
