import Foundation

/// The index of a packed dataset (`cohort pack`, docs/DESIGN.md §11): `index.json` beside the shards, written last
/// (temporary file, fsync, rename), so a directory without it is an interrupted pack. One column per field, one
/// entry per sample, in ImageFolder order (classes sorted, files sorted within a class): sample i of a split is
/// sample i of the folder's split.
package struct PackIndex: Codable, Sendable, Equatable {
    package static let fileName = "index.json"
    package static let formatName = "cohort-packed-imagefolder"
    package static let currentVersion = 1

    /// `formatName`.
    package var format: String
    /// `currentVersion`.
    package var version: Int
    /// Shorter side images were re-encoded to (larger images only), or nil when every file holds its original bytes.
    package var resize: Int?
    /// JPEG quality of re-encoded images (with `resize`).
    package var quality: Int?
    /// Sorted class folder names; label k is classNames[k].
    package var classNames: [String]
    /// "train", and "val" / "test" when the folder had them.
    package var splits: [String: Split]

    /// One split's shards and samples.
    package struct Split: Codable, Sendable, Equatable {
        /// Shard file names (relative to the packed directory), and their sizes in bytes.
        package var shards: [String]
        package var shardBytes: [Int]
        /// Per sample: the shard it is in, the offset of its file data in that shard, the data's length,
        /// its label, the CRC-32C of the data and the original path relative to the folder root.
        package var shard: [Int32]
        package var offset: [Int]
        package var length: [Int32]
        package var label: [Int32]
        package var crc32c: [UInt32]
        package var path: [String]

        package var count: Int { shard.count }

        package init() {
            shards = []; shardBytes = []; shard = []; offset = []; length = []; label = []; crc32c = []; path = []
        }
    }

    /// Whether `directory` holds an index file.
    package static func exists(in directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/" + fileName)
    }

    /// Reads and checks `directory/index.json`: format, version, column lengths, shard and label ranges.
    package static func read(from directory: String) throws -> PackIndex {
        let path = directory + "/" + fileName
        let bytes = try FileReading.readRaw(path)
        let index: PackIndex
        do {
            index = try JSONDecoder().decode(PackIndex.self, from: Data(bytes))
        } catch {
            throw DataError.badLayout(path: path, reason: "not a packed-dataset index: \(error)")
        }
        guard index.format == formatName else {
            throw DataError.badLayout(path: path, reason: "format '\(index.format)', expected '\(formatName)'")
        }
        guard index.version == currentVersion else {
            throw DataError.badLayout(path: path, reason: "version \(index.version); this cohort reads version \(currentVersion)")
        }
        guard index.splits["train"] != nil else { throw DataError.badLayout(path: path, reason: "no train split") }
        for (name, s) in index.splits {
            let n = s.count
            guard [s.offset.count, s.length.count, s.label.count, s.crc32c.count, s.path.count].allSatisfy({ $0 == n }),
                  s.shards.count == s.shardBytes.count else {
                throw DataError.badLayout(path: path, reason: "split \(name): columns of different lengths")
            }
            for i in 0..<n {
                guard s.shard[i] >= 0, Int(s.shard[i]) < s.shards.count, s.label[i] >= 0, Int(s.label[i]) < index.classNames.count,
                      s.offset[i] >= 0, s.length[i] > 0 else {
                    throw DataError.badLayout(path: path, reason: "split \(name), sample \(i): shard, label, offset or length out of range")
                }
            }
        }
        return index
    }

    /// Writes the index atomically: `index.json.tmp`, fsync, rename, fsync of the directory.
    func write(to directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try ShardFile.writeAtomically(Array(try encoder.encode(self)), to: directory + "/" + Self.fileName, directory: directory)
    }
}
