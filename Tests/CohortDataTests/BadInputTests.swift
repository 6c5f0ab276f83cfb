import Testing
import Foundation
@testable import CohortData

/// Every bad image file is an error naming it, or with `skipBad` a counted warning.
@Suite struct BadInputTests {
    static func goodJPEG() throws -> [UInt8] { try ImageFixtures.jpeg(Fixtures.pattern(width: 64, height: 48, channels: 3)) }
    static func goodPNG() throws -> [UInt8] { try ImageFixtures.png(Fixtures.pattern(width: 64, height: 48, channels: 3)) }

    static func badFiles() throws -> [(name: String, bytes: [UInt8], expect: String)] {
        let jpeg = try goodJPEG(), png = try goodPNG()
        var corruptJPEG = jpeg
        for i in 2..<min(200, jpeg.count) { corruptJPEG[i] = UInt8(i * 37 % 251) }
        var corruptPNG = png
        for i in (png.count / 2)..<(png.count / 2 + 16) { corruptPNG[i] ^= 0x5A }
        return [
            ("truncated.jpg", Array(jpeg[0..<(jpeg.count / 2)]), "JPEG"),
            ("corrupt.jpeg", corruptJPEG, "JPEG"),
            ("truncated.png", Array(png[0..<(png.count / 2)]), "PNG"),
            ("corrupt.PNG", corruptPNG, "PNG"),
            ("zero.jpg", [], "empty"),
            ("text.png", Array("this is not an image\n".utf8), "not a JPEG or PNG"),
            ("huge.jpg", ImageFixtures.jpegClaiming(jpeg, width: 60000, height: 60000), "limit"),
            ("huge.png", ImageFixtures.pngClaiming(png, width: 60000, height: 60000), "limit"),
        ]
    }

    @Test func eachBadFileIsAnErrorNamingIt() throws {
        let dir = Fixtures.temporaryDirectory()
        for bad in try Self.badFiles() {
            let path = dir + "/" + bad.name
            try Fixtures.write(bad.bytes, to: path)
            let message = Fixtures.errorMessage { _ = try ImageDecoder.decode(path: path, channels: 3) }
            #expect(message?.contains(path) == true && message?.contains(bad.expect) == true, "\(bad.name): \(message ?? "no error")")
        }
        let missing = Fixtures.errorMessage { _ = try ImageDecoder.decode(path: dir + "/missing.jpg", channels: 3) }
        #expect(missing?.contains(dir + "/missing.jpg") == true)
    }

    @Test func hugeImageRefusedBeforeAllocation() throws {
        let path = "claims.png"
        let bytes = ImageFixtures.pngClaiming(try Self.goodPNG(), width: 50000, height: 50000)
        #expect(throws: DataError.imageTooLarge(path: path, width: 50000, height: 50000, limit: ImageDecoder.defaultPixelLimit)) {
            _ = try ImageDecoder.decode(bytes, path: path, channels: 3)
        }
    }

    static func folderWithBadFiles() throws -> String {
        let root = Fixtures.temporaryDirectory()
        for c in ["a", "b"] {
            for i in 0..<3 { try Fixtures.write(try goodJPEG(), to: "\(root)/train/\(c)/good\(i).jpg") }
        }
        for bad in try badFiles() { try Fixtures.write(bad.bytes, to: "\(root)/train/b/\(bad.name)") }
        return root
    }

    @Test func badFileInFolderFailsAtLoadNamingIt() throws {
        let root = try Self.folderWithBadFiles()
        let shape = ImageShape(channels: 3, height: 16, width: 16)
        let splits = try DatasetOpener.open(directory: root, imageShape: shape, holdout: 0, limit: nil, skipBad: false)
        let data = splits.train as! ImageFolderDataset
        #expect(data.count == 14)
        let loader = BatchLoader(dataset: data, batches: [Array(0..<data.count)], augmentation: .none, seed: 0, epoch: 0, threads: 2)
        let message = Fixtures.errorMessage { _ = try loader.next() }
        #expect(message?.contains(root + "/train/b/") == true, "\(message ?? "no error")")
    }

    @Test func skipBadCountsAndDrops() throws {
        let root = try Self.folderWithBadFiles()
        let shape = ImageShape(channels: 3, height: 16, width: 16)
        let splits = try DatasetOpener.open(directory: root, imageShape: shape, holdout: 0, limit: nil, skipBad: true)
        #expect(splits.train.count == 6)
        #expect(splits.warnings.count == 1)
        #expect(splits.warnings.first?.contains("skipped 8 unreadable image files") == true, "\(splits.warnings)")
        #expect(splits.warnings.first?.contains(root + "/train/b/") == true)
        let loader = BatchLoader(dataset: splits.train, batches: [Array(0..<6)], augmentation: .none, seed: 0, epoch: 0, threads: 2)
        #expect(try loader.next()?.count == 6)
    }
}
