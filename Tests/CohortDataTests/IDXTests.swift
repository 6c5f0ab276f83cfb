import CohortRandom
import Foundation
import Testing
@testable import CohortData

@Suite struct IDXTests {
    @Test func packagedFashionMNIST() throws {
        let splits = try DatasetOpener.open(directory: nil, imageShape: nil, holdout: 0, limit: nil, skipBad: false)
        #expect(splits.train.count == 60000)
        #expect(splits.test?.count == 10000)
        #expect(splits.validation == nil)
        #expect(splits.train.imageShape == ImageShape(channels: 1, height: 28, width: 28))
        #expect((0..<10).map { splits.train.label(at: $0) } == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        #expect(splits.train.classNames == IDXDataset.fashionClassNames)
        #expect(splits.identity.contains("fashion-mnist") && splits.identity.contains("train=60000"))
        var image = [Float](repeating: -1, count: 784)
        try image.withUnsafeMutableBufferPointer {
            try splits.train.load(0, into: $0, augmentation: .none, key: SampleKey(seed: 1, epoch: 0, index: 0))
        }
        #expect(image.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(image.contains { $0 > 0.5 })
    }

    @Test func holdoutAndLimit() throws {
        let splits = try DatasetOpener.open(directory: nil, imageShape: nil, holdout: 5000, limit: 1000, skipBad: false)
        #expect(splits.validation?.count == 5000)
        #expect(splits.train.count == 1000)
        #expect((0..<10).map { splits.validation!.label(at: $0) } == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        let full = try DatasetOpener.open(directory: nil, imageShape: nil, holdout: 0, limit: nil, skipBad: false)
        #expect((0..<50).map { splits.train.label(at: $0) } == (5000..<5050).map { full.train.label(at: $0) })
        #expect(splits.identity != full.identity)
        #expect(throws: DataError.self) { try DatasetOpener.open(directory: nil, imageShape: nil, holdout: 60000, limit: nil, skipBad: false) }
    }

    @Test func resizedThreeChannel() throws {
        let shape = ImageShape(channels: 3, height: 32, width: 32)
        let splits = try DatasetOpener.open(directory: nil, imageShape: shape, holdout: 0, limit: 10, skipBad: false)
        var image = [Float](repeating: 0, count: shape.count)
        try image.withUnsafeMutableBufferPointer {
            try splits.train.load(3, into: $0, augmentation: .none, key: SampleKey(seed: 1, epoch: 0, index: 3))
        }
        #expect(Array(image[0..<1024]) == Array(image[1024..<2048]))
        #expect(image.contains { $0 > 0.3 })
    }

    @Test func rawAndGzipAgree() throws {
        let dir = try Fixtures.idxDirectory(count: 5)
        let raw = try FileReading.read(dir + "/train-images-idx3-ubyte")
        #expect(try FileReading.read(Fixtures.fashionDirectory + "/t10k-labels-idx1-ubyte.gz").count == 10008)
        #expect(raw.count == 16 + 5 * 64)
    }

    @Test func wrongMagicNamesFile() throws {
        let dir = try Fixtures.idxDirectory(count: 4)
        let path = dir + "/train-images-idx3-ubyte"
        try Fixtures.write(Fixtures.idx(dimensions: [4, 8, 8], data: [UInt8](repeating: 0, count: 256), magic: 0x0903), to: path)
        let message = Fixtures.errorMessage { _ = try DatasetOpener.open(directory: dir, imageShape: nil, holdout: 0, limit: nil, skipBad: false) }
        #expect(message?.contains(path) == true && message?.contains("magic") == true, "\(message ?? "no error")")
    }

    @Test func truncatedNamesFile() throws {
        let dir = try Fixtures.idxDirectory(count: 4)
        let path = dir + "/train-images-idx3-ubyte"
        try Fixtures.write(Fixtures.idx(dimensions: [4, 8, 8], data: [UInt8](repeating: 0, count: 200)), to: path)
        let message = Fixtures.errorMessage { _ = try DatasetOpener.open(directory: dir, imageShape: nil, holdout: 0, limit: nil, skipBad: false) }
        #expect(message?.contains(path) == true && message?.contains("truncated") == true, "\(message ?? "no error")")
        try Fixtures.write([0, 0, 8], to: path)
        let short = Fixtures.errorMessage { _ = try DatasetOpener.open(directory: dir, imageShape: nil, holdout: 0, limit: nil, skipBad: false) }
        #expect(short?.contains(path) == true && short?.contains("too short") == true, "\(short ?? "no error")")
        try Fixtures.write([], to: path)
        let empty = Fixtures.errorMessage { _ = try DatasetOpener.open(directory: dir, imageShape: nil, holdout: 0, limit: nil, skipBad: false) }
        #expect(empty?.contains(path) == true && empty?.contains("empty") == true, "\(empty ?? "no error")")
    }

    @Test func labelCountMismatchNamesBothFiles() throws {
        let dir = try Fixtures.idxDirectory(count: 6, labelCount: 5)
        let message = Fixtures.errorMessage { _ = try DatasetOpener.open(directory: dir, imageShape: nil, holdout: 0, limit: nil, skipBad: false) }
        #expect(message?.contains(dir + "/train-images-idx3-ubyte") == true && message?.contains(dir + "/train-labels-idx1-ubyte") == true,
                "\(message ?? "no error")")
    }

    @Test func corruptGzipNamesFile() throws {
        let dir = try Fixtures.idxDirectory(count: 4)
        try FileManager.default.removeItem(atPath: dir + "/train-images-idx3-ubyte")
        let path = dir + "/train-images-idx3-ubyte.gz"
        try Fixtures.write([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9], to: path)
        let message = Fixtures.errorMessage { _ = try DatasetOpener.open(directory: dir, imageShape: nil, holdout: 0, limit: nil, skipBad: false) }
        #expect(message?.contains(path) == true, "\(message ?? "no error")")
    }

    @Test func missingDirectoryIsAnError() {
        let message = Fixtures.errorMessage { _ = try DatasetOpener.open(directory: "/nonexistent/cohort", imageShape: nil, holdout: 0, limit: nil, skipBad: false) }
        #expect(message?.contains("/nonexistent/cohort") == true)
    }
}
