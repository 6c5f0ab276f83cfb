import CohortRandom
import Foundation
import Testing
@testable import CohortData

@Suite struct ImageFolderTests {
    static let shape = ImageShape(channels: 3, height: 32, width: 32)

    /// train/{bird,cat,Dog}, val/ the same, mixed extensions and cases, hidden and non-image files.
    static func makeFolder(valClasses: [String] = ["Dog", "bird", "cat"], perClass: Int = 4) throws -> String {
        let root = Fixtures.temporaryDirectory()
        for (split, classes) in [("train", ["Dog", "bird", "cat"]), ("val", valClasses)] {
            for (c, name) in classes.enumerated() {
                for i in 0..<perClass {
                    let raster = Fixtures.pattern(width: 40 + 7 * i, height: 30 + 5 * c, channels: 3)
                    let ext = ["jpg", "JPEG", "png", "PNG"][i % 4]
                    let bytes = ext.lowercased() == "png" ? try ImageFixtures.png(raster) : try ImageFixtures.jpeg(raster)
                    try Fixtures.write(bytes, to: "\(root)/\(split)/\(name)/img\(i).\(ext)")
                }
                try Fixtures.write([1, 2, 3], to: "\(root)/\(split)/\(name)/.hidden.jpg")
                try Fixtures.write(Array("notes".utf8), to: "\(root)/\(split)/\(name)/readme.txt")
            }
        }
        try Fixtures.write([0], to: "\(root)/train/.DS_Store")
        return root
    }

    @Test func opensSortedClassesAndSplits() throws {
        let root = try Self.makeFolder()
        let splits = try DatasetOpener.open(directory: root, imageShape: Self.shape, holdout: 0, limit: nil, skipBad: false)
        #expect(splits.train.classNames == ["Dog", "bird", "cat"])
        #expect(splits.train.count == 12 && splits.validation?.count == 12 && splits.test == nil)
        #expect((0..<12).map { splits.train.label(at: $0) } == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
        #expect(splits.identity.contains("classes=Dog,bird,cat") && splits.identity.contains("train=12"))
        var out = [Float](repeating: .nan, count: Self.shape.count)
        for i in 0..<12 {
            try out.withUnsafeMutableBufferPointer { try splits.train.load(i, into: $0, augmentation: .none, key: SampleKey(seed: 0, epoch: 0, index: i)) }
            #expect(out.allSatisfy { $0.isFinite && abs($0) < 3 })
        }
        let limited = try DatasetOpener.open(directory: root, imageShape: Self.shape, holdout: 0, limit: 5, skipBad: false)
        #expect(limited.train.count == 5)
    }

    @Test func holdoutWithoutVal() throws {
        let root = try Self.makeFolder()
        try FileManager.default.removeItem(atPath: root + "/val")
        let splits = try DatasetOpener.open(directory: root, imageShape: Self.shape, holdout: 3, limit: nil, skipBad: false)
        #expect(splits.validation?.count == 3 && splits.train.count == 9)
        let trainFiles = Set((splits.train as! ImageFolderDataset).files), valFiles = Set((splits.validation as! ImageFolderDataset).files)
        #expect(trainFiles.isDisjoint(with: valFiles) && trainFiles.count + valFiles.count == 12)
    }

    @Test func augmentedLoadingIsDeterministicAcrossThreads() throws {
        let root = try Self.makeFolder()
        let splits = try DatasetOpener.open(directory: root, imageShape: Self.shape, holdout: 0, limit: nil, skipBad: false)
        let augment = try Augmentation.parse("flip,shift,rotate,crop", shift: 0.1, rotate: 15)
        let batches = [[3, 0, 7, 11], [1, 2, 4, 5], [6, 8, 9, 10]]
        func run(_ threads: Int) throws -> [[Float]] {
            let loader = BatchLoader(dataset: splits.train, batches: batches, augmentation: augment, seed: 4, epoch: 1, threads: threads)
            var result: [[Float]] = []
            while let b = try loader.next() { result.append(Array(b.images)) }
            return result
        }
        let one = try run(1)
        #expect(one.count == 3)
        #expect(try run(2) == one)
    }

    @Test func valClassesDifferIsAnError() throws {
        let root = try Self.makeFolder(valClasses: ["Dog", "bird", "horse"])
        let message = Fixtures.errorMessage { _ = try DatasetOpener.open(directory: root, imageShape: Self.shape, holdout: 0, limit: nil, skipBad: false) }
        #expect(message?.contains(root + "/val") == true && message?.contains("horse") == true && message?.contains("cat") == true, "\(message ?? "no error")")
    }

    @Test func emptyClassFolderIsAnError() throws {
        let root = try Self.makeFolder()
        try FileManager.default.createDirectory(atPath: root + "/train/empty", withIntermediateDirectories: true)
        try Fixtures.write([1], to: root + "/train/empty/.keep")
        let message = Fixtures.errorMessage { _ = try DatasetOpener.open(directory: root, imageShape: Self.shape, holdout: 0, limit: nil, skipBad: false) }
        #expect(message?.contains(root + "/train/empty") == true, "\(message ?? "no error")")
    }

    @Test func needsAnImageShape() throws {
        let root = try Self.makeFolder()
        #expect(throws: DataError.self) { try DatasetOpener.open(directory: root, imageShape: nil, holdout: 0, limit: nil, skipBad: false) }
    }

    @Test func idxToPNGFolderKeepsPixels() throws {
        let out = Fixtures.temporaryDirectory()
        let counts = try DatasetConverter.convertIDX(from: Fixtures.fashionDirectory, to: out, format: .png, limit: 300)
        #expect(counts == (300, 300))
        let idx = try DatasetOpener.open(directory: nil, imageShape: nil, holdout: 0, limit: nil, skipBad: false)
        let folder = try DatasetOpener.open(directory: out, imageShape: ImageShape(channels: 1, height: 28, width: 28), holdout: 0, limit: nil, skipBad: false)
        #expect(folder.train.classNames == IDXDataset.fashionClassNames.sorted())
        #expect(Set(folder.train.classNames) == Set(["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot"]))
        let train = folder.train as! ImageFolderDataset, source = idx.train as! IDXDataset
        #expect(train.count == 300 && folder.test?.count == 300)
        for i in 0..<train.count {
            let file = train.files[i]
            let index = Int((file as NSString).lastPathComponent.prefix(5))!
            #expect(try ImageDecoder.decode(path: file, channels: 1) == source.raster(at: index))
            #expect(train.classNames[train.label(at: i)] == source.classNames[source.label(at: index)])
        }
        let jpegOut = Fixtures.temporaryDirectory()
        #expect(try DatasetConverter.convertIDX(from: Fixtures.fashionDirectory, to: jpegOut, format: .jpeg, limit: 20) == (20, 20))
        #expect(FileManager.default.fileExists(atPath: jpegOut + "/train/Ankle_boot/00000.jpg"))
    }
}
