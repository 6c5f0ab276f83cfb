import Foundation

/// `cohort convert`: writes an IDX dataset as an ImageFolder (`train/<class>/NNNNN.png|jpg`, `test/<class>/…`).
package enum DatasetConverter {
    /// Converts the IDX dataset in `from` (train and, if present, t10k files) into an ImageFolder at `to`.
    /// Class folders are the dataset's class names (Fashion-MNIST: T-shirt_top, Trouser, … Ankle_boot); file names are
    /// the 5-digit sample index, so the IDX order is recoverable. PNG is lossless; JPEG uses quality 95.
    /// - Parameter limit: convert only the first `limit` samples of each split (nil = all).
    /// - Returns: the number of images written per split.
    package static func convertIDX(from: String, to: String, format: ImageFormat, limit: Int? = nil) throws -> (train: Int, test: Int) {
        guard let layout = IDXLayout(directory: from) else {
            throw DataError.badLayout(path: from, reason: "no IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz])")
        }
        let splits = try DatasetOpener.openIDX(layout, imageShape: nil, holdout: 0, limit: nil)
        let train = try write(splits.train as! IDXDataset, to: to + "/train", format: format, limit: limit)
        let test = try (splits.test as? IDXDataset).map { try write($0, to: to + "/test", format: format, limit: limit) } ?? 0
        return (train, test)
    }

    private static func write(_ data: IDXDataset, to dir: String, format: ImageFormat, limit: Int?) throws -> Int {
        for name in data.classNames { try makeDirectory(dir + "/" + name) }
        let n = min(limit ?? data.count, data.count)
        for i in 0..<n {
            let path = "\(dir)/\(data.classNames[data.label(at: i)])/\(String(repeating: "0", count: max(0, 5 - String(i).count)))\(i).\(format.fileExtension)"
            try writeFile(ImageDecoder.encode(data.raster(at: i), format: format), to: path)
        }
        return n
    }

    private static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw DataError.unwritable(path: path, reason: "cannot create directory")
        }
    }

    /// Writes `bytes` to `path` (created or truncated).
    static func writeFile(_ bytes: [UInt8], to path: String) throws {
        try ShardFile(creating: path).append(bytes)
    }
}
