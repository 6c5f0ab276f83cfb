import CohortRandom

/// One split of a packed dataset (`cohort pack`): each sample's file bytes are read from its shard with one positioned
/// read, checked against the index's CRC-32C, then decoded and rendered exactly as `ImageFolderDataset` does — so an
/// unresized pack yields bitwise the samples of its folder.
package struct PackedDataset: ImageDataset, SampleSubsetting {
    package let classNames: [String]
    package let imageShape: ImageShape
    package let normalization: PixelNormalization
    package let pixelLimit: Int
    let shards: PackedShards
    /// Per sample (this dataset's order): its number in the packed split, shard, data offset, length, CRC-32C, label
    /// and original relative path.
    let members: [Int32]
    let shard: [Int32]
    let offset: [Int]
    let length: [Int32]
    let crc32c: [UInt32]
    let labels: [Int32]
    let paths: [String]

    package var count: Int { members.count }

    /// Split `name` of `index`, whose shards are in `directory`.
    init(index: PackIndex, split name: String, directory: String, imageShape: ImageShape,
         normalization: PixelNormalization = .imageNet, pixelLimit: Int = ImageDecoder.defaultPixelLimit) {
        let s = index.splits[name]!
        self.init(classNames: index.classNames, imageShape: imageShape, normalization: normalization, pixelLimit: pixelLimit,
                  shards: PackedShards(paths: s.shards.map { directory + "/" + $0 }), members: (0..<Int32(s.count)).map { $0 },
                  shard: s.shard, offset: s.offset, length: s.length, crc32c: s.crc32c, labels: s.label, paths: s.path)
    }

    private init(classNames: [String], imageShape: ImageShape, normalization: PixelNormalization, pixelLimit: Int,
                 shards: PackedShards, members: [Int32], shard: [Int32], offset: [Int], length: [Int32], crc32c: [UInt32],
                 labels: [Int32], paths: [String]) {
        self.classNames = classNames
        self.imageShape = imageShape
        self.normalization = normalization
        self.pixelLimit = pixelLimit
        self.shards = shards
        self.members = members
        self.shard = shard
        self.offset = offset
        self.length = length
        self.crc32c = crc32c
        self.labels = labels
        self.paths = paths
    }

    package func subset(_ positions: [Int]) -> PackedDataset {
        PackedDataset(classNames: classNames, imageShape: imageShape, normalization: normalization, pixelLimit: pixelLimit,
                      shards: shards, members: positions.map { members[$0] }, shard: positions.map { shard[$0] },
                      offset: positions.map { offset[$0] }, length: positions.map { length[$0] },
                      crc32c: positions.map { crc32c[$0] }, labels: positions.map { labels[$0] }, paths: positions.map { paths[$0] })
    }

    package func label(at index: Int) -> Int { Int(labels[index]) }

    /// Shard files this dataset has opened so far.
    package var openedShards: Int { shards.openedCount }

    /// What error messages call sample `index`: its shard, its number in the packed split and its original path.
    func location(_ index: Int) -> (shard: String, sample: Int, source: String) {
        (shards.paths[Int(shard[index])], Int(members[index]), paths[index])
    }

    /// The checked file bytes of sample `index`: a short read (truncated shard) or a checksum mismatch is a
    /// `DataError.damagedSample` naming the shard, the sample and its original path.
    func bytes(_ index: Int) throws -> [UInt8] {
        let n = Int(length[index])
        var bytes = [UInt8](repeating: 0, count: n)
        let got = try bytes.withUnsafeMutableBytes { try shards.read(shard: Int(shard[index]), offset: offset[index], into: $0) }
        let (shardPath, sample, source) = location(index)
        guard got == n else {
            throw DataError.damagedSample(shard: shardPath, sample: sample, source: source,
                                          reason: "shard truncated: \(got) of \(n) bytes at offset \(offset[index])")
        }
        let crc = bytes.withUnsafeBytes { CRC32C.checksum($0) }
        guard crc == crc32c[index] else {
            throw DataError.damagedSample(shard: shardPath, sample: sample, source: source,
                                          reason: "CRC-32C \(hex(crc)) where the index has \(hex(crc32c[index]))")
        }
        return bytes
    }

    package func load(_ index: Int, into out: UnsafeMutableBufferPointer<Float>, augmentation: Augmentation, key: SampleKey) throws {
        let (shardPath, sample, source) = location(index)
        let raster = try ImageDecoder.decode(bytes(index), path: "\(shardPath) sample \(sample) (\(source))",
                                             channels: imageShape.channels, minimumShortSide: minimumShortSide, pixelLimit: pixelLimit)
        ImageFolderDataset.render(raster, into: out, shape: imageShape, normalization: normalization, augmentation: augmentation, key: key)
    }

    var minimumShortSide: Int { ImageFolderDataset.minimumShortSide(for: imageShape) }
}

func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}
