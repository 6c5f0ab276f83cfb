import CohortTestSupport
import Foundation
@testable import CohortData

/// Temporary directories and small generated files for the data tests. Nothing is committed.
enum Fixtures {
    static let fashionDirectory = "/usr/share/datasets/fashion-mnist"

    /// A fresh empty directory named after the calling test (`TemporaryDirectory`).
    static func temporaryDirectory(_ name: String = #function) -> String {
        TemporaryDirectory.make("data-" + name.filter { $0.isLetter || $0.isNumber })
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { throw DataError.unwritable(path: path, reason: "test fixture") }
    }

    /// An IDX file: big-endian magic 0x0800|dims.count, the sizes, then `data`.
    static func idx(dimensions: [Int], data: [UInt8], magic: Int? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        func be(_ v: Int) { bytes += [UInt8(v >> 24 & 255), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
        be(magic ?? (0x0800 | dimensions.count))
        dimensions.forEach(be)
        return bytes + data
    }

    /// A small IDX directory with `count` images of `side`×`side` whose pixel values encode (index, position).
    static func idxDirectory(count: Int, side: Int = 8, labelCount: Int? = nil) throws -> String {
        let dir = temporaryDirectory()
        let pixels = (0..<(count * side * side)).map { UInt8(($0 * 7 + $0 / (side * side) * 13) % 256) }
        try write(idx(dimensions: [count, side, side], data: pixels), to: dir + "/train-images-idx3-ubyte")
        let n = labelCount ?? count
        try write(idx(dimensions: [n], data: (0..<n).map { UInt8($0 % 10) }), to: dir + "/train-labels-idx1-ubyte")
        return dir
    }

    /// A deterministic test image with structure in both axes (no symmetry), `channels` 1 or 3.
    static func pattern(width: Int, height: Int, channels: Int) -> Raster {
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    pixels[(y * width + x) * channels + c] = UInt8((x * 255 / max(1, width - 1) + c * 85 + (y * 3) % 40) % 256)
                }
            }
        }
        return Raster(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Asserts `body` throws a `DataError` whose message names `path`; returns the message.
    static func errorMessage(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }
}
