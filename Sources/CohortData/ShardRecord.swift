import Foundation

/// What `cohort pack` writes beside each shard it has closed and fsynced (`<shard>.json`) until the index is written:
/// that shard's samples, so a pack interrupted later resumes after its last complete shard (`DatasetPacker`).
struct ShardRecord: Codable, Equatable {
    /// The packing options that shaped the shard (`DatasetPacker.Options.settings`); a record with others is not reused.
    var settings: String
    var split: String
    /// Files the split's folder listed, and the folder position just after this shard's last sample.
    var folderFiles: Int
    var nextFile: Int
    /// The shard file's size.
    var bytes: Int
    /// The shard's samples, as in `PackIndex.Split`.
    var offset: [Int]
    var length: [Int32]
    var label: [Int32]
    var crc32c: [UInt32]
    var path: [String]
    /// Files skipped (`skipBad`) between the previous shard's last sample and this shard's last sample.
    var skipped: [String]

    static func path(out: String, shard: String) -> String { out + "/" + shard + ".json" }

    /// The record of `shard` in `out`, if there is one, it parses, and the shard file has its recorded size.
    static func read(out: String, shard: String) -> ShardRecord? {
        guard let data = FileManager.default.contents(atPath: path(out: out, shard: shard)),
              let record = try? JSONDecoder().decode(ShardRecord.self, from: data) else { return nil }
        var info = stat()
        guard stat(out + "/" + shard, &info) == 0, Int(info.st_size) == record.bytes else { return nil }
        return record
    }

    func write(out: String, shard: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try ShardFile.writeAtomically(Array(try encoder.encode(self)), to: Self.path(out: out, shard: shard), directory: out)
    }
}
