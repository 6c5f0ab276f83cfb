import CohortData
import CohortRandom
import CohortTestSupport
import CohortTraining
import Foundation
import Testing

/// `cohort pack` end to end: the shards are tar files, a packed copy trains bitwise like its folder under
/// `mpirun -np 2`, `--verify` and training name the shard and sample of a truncated or flipped shard, corrupt
/// images are refused or skipped, `--resize` re-encodes to the requested shorter side.
@Suite(.serialized) struct PackTests {
    typealias Runs = DistributedTrainingTests

    /// A JPEG ImageFolder of `limit` Fashion-MNIST images per split (train/, test/), 10 classes.
    static func folder(limit: Int = 320) throws -> String {
        let folder = TemporaryDirectory.make() + "/folder"
        let convert = try CommandRunner.run([CommandRunner.cohort, "convert", "--out", folder, "--format", "jpeg", "--limit", "\(limit)"], timeout: 60)
        #expect(convert.status == 0, "\(convert)")
        return folder
    }

    static func pack(_ folder: String, _ extra: [String] = []) throws -> (String, CommandRunner.Outcome) {
        let out = TemporaryDirectory.make() + "/packed"
        let run = try CommandRunner.run([CommandRunner.cohort, "pack", "--data", folder, "--out", out] + extra, timeout: 120)
        return (out, run)
    }

    /// The data section of a safetensors file: every tensor, no metadata.
    static func tensorBytes(_ path: String) throws -> Data {
        let file = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = file.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        return file.dropFirst(8 + headerLength)
    }

    @Test func crc32cOverRawMemoryMatchesTheBytewiseFormAndTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        var g = SplitMix64(state: 5)
        for n in [0, 1, 7, 8, 9, 63, 1000] {
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            #expect(bytes.withUnsafeBytes { CRC32C.checksum($0) } == CRC32C.checksum(bytes), "\(n) bytes")
        }
    }

    @Test func aPackedCopyKeepsTheFolderOrderAndTrainsBitwiseLikeIt() throws {
        let folder = try Self.folder()
        let (packed, run) = try Self.pack(folder, ["--shard-mb", "0.25"])
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("packed 320 train, 320 test images into"), "\(run)")

        // Every shard is a tar archive `tar` lists: one image and one .cls member per sample.
        let index = try PackIndex.read(from: packed)
        let train = try #require(index.splits["train"])
        #expect(train.shards.count >= 3, "0.25 MB shards: \(train.shards)")
        let listing = try CommandRunner.run(["tar", "-tf", packed + "/" + train.shards[1]], timeout: 30)
        #expect(listing.status == 0, "\(listing)")
        let members = listing.output.split(separator: "\n").map(String.init)
        let inShard = train.shard.filter { $0 == 1 }.count
        #expect(members.count == 2 * inShard && members.contains { $0.hasSuffix(".jpg") } && members.contains { $0.hasSuffix(".cls") }, "\(members.prefix(4))")

        // Sample i of the pack is sample i of the folder.
        let shape = ImageShape(channels: 1, height: 28, width: 28)
        let fromFolder = try DatasetOpener.open(directory: folder, imageShape: shape, holdout: 0, limit: nil, skipBad: false)
        let fromPack = try DatasetOpener.open(directory: packed, imageShape: shape, holdout: 0, limit: nil, skipBad: false)
        let files = try #require(fromFolder.train as? ImageFolderDataset)
        #expect(files.files.map { String($0.dropFirst(folder.count + 1)) } == train.path)
        #expect(fromPack.identity == fromFolder.identity && fromPack.train.classNames == fromFolder.train.classNames)

        // 2 ranks, 2 epochs of 10 steps with augmentation: the same tensors, bitwise.
        let a = TemporaryDirectory.make(), b = TemporaryDirectory.make()
        func arguments(_ data: String, _ directory: String) -> [String] {
            Runs.trainArguments(directory, limit: 320, extra: ["--data", data, "--epochs", "2", "--eval-limit", "64", "--augment", "flip,shift"])
        }
        let original = try CommandRunner.run(CommandRunner.mpirun(2, arguments(folder, a)), timeout: 180)
        #expect(original.status == 0, "\(original)")
        let copy = try CommandRunner.run(CommandRunner.mpirun(2, arguments(packed, b)), timeout: 180)
        #expect(copy.status == 0, "\(copy)")
        let (_, state) = try Runs.loadCheckpoint(b + "/last.safetensors")
        #expect(state.globalStep == 20)
        let tensors = try Self.tensorBytes(a + "/last.safetensors")
        #expect(tensors.count >= 4 * 1_413_834, "every parameter (and momentum) of fashion-cnn: \(tensors.count) bytes")
        #expect(tensors == (try Self.tensorBytes(b + "/last.safetensors")), "checkpoint tensors bitwise equal")
    }

    @Test func verifyAndTrainingNameTheShardAndSampleOfAFlippedOrTruncatedShard() throws {
        let folder = try Self.folder(limit: 160)
        let (packed, run) = try Self.pack(folder, ["--shard-mb", "0.1"])
        #expect(run.status == 0, "\(run)")
        let good = try CommandRunner.run([CommandRunner.cohort, "pack", "--verify", packed], timeout: 60)
        #expect(good.status == 0 && good.output.contains("320 samples") && good.output.contains("every checksum matches"), "\(good)")

        let index = try PackIndex.read(from: packed)
        let train = try #require(index.splits["train"])
        let victim = 37
        let shard = packed + "/" + train.shards[Int(train.shard[victim])]

        // One flipped byte in the middle of sample 37's image.
        let flipped = TemporaryDirectory.make() + "/packed"
        try FileManager.default.copyItem(atPath: packed, toPath: flipped)
        let flippedShard = flipped + "/" + train.shards[Int(train.shard[victim])]
        let handle = try #require(FileHandle(forUpdatingAtPath: flippedShard))
        let at = UInt64(train.offset[victim] + Int(train.length[victim]) / 2)
        try handle.seek(toOffset: at)
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: at)
        try handle.write(contentsOf: Data([byte ^ 0x5A]))
        try handle.close()
        let bad = try CommandRunner.run([CommandRunner.cohort, "pack", "--verify", flipped], timeout: 60)
        #expect(bad.status == 1, "\(bad)")
        #expect(bad.output.contains("\(flippedShard): damaged sample \(victim) (\(train.path[victim])): CRC-32C"), "\(bad)")
        #expect(bad.output.contains("1 problem"), "\(bad)")

        // Training meets it: an error naming shard and sample, or with --skip-bad one counted skip.
        func arguments(_ directory: String, _ extra: [String]) -> [String] {
            Runs.trainArguments(directory, limit: 160, extra: ["--data", flipped, "--epochs", "1", "--eval-limit", "32"] + extra)
        }
        let failed = try CommandRunner.run([CommandRunner.cohort] + arguments(TemporaryDirectory.make(), []), timeout: 120)
        #expect(failed.status == 1, "\(failed)")
        #expect(failed.output.contains("\(flippedShard): damaged sample \(victim) (\(train.path[victim]))"), "\(failed)")
        let skipped = try CommandRunner.run([CommandRunner.cohort] + arguments(TemporaryDirectory.make(), ["--skip-bad"]), timeout: 120)
        #expect(skipped.status == 0, "\(skipped)")
        #expect(skipped.output.contains("skipped 1 damaged packed sample (--skip-bad)"), "\(skipped)")

        // The last shard cut short: verify names it and the samples past its end.
        let truncated = TemporaryDirectory.make() + "/packed"
        try FileManager.default.copyItem(atPath: packed, toPath: truncated)
        let lastShard = train.shards.count - 1
        let lastSample = try #require(train.shard.lastIndex(of: Int32(lastShard)))
        let cut = truncated + "/" + train.shards[lastShard]
        #expect(truncate(cut, off_t(train.offset[lastSample] + 10)) == 0)
        let short = try CommandRunner.run([CommandRunner.cohort, "pack", "--verify", truncated], timeout: 60)
        #expect(short.status == 1, "\(short)")
        #expect(short.output.contains("\(cut): \(train.offset[lastSample] + 10) bytes where the index says \(train.shardBytes[lastShard]) (truncated)"), "\(short)")
        #expect(short.output.contains("\(cut): damaged sample \(lastSample) (\(train.path[lastSample])): shard truncated"), "\(short)")
        _ = shard

        // Without its index (an interrupted pack) the directory is refused as such.
        try FileManager.default.removeItem(atPath: truncated + "/" + PackIndex.fileName)
        let interrupted = try CommandRunner.run([CommandRunner.cohort] + Runs.trainArguments(TemporaryDirectory.make(), extra: ["--data", truncated]), timeout: 60)
        #expect(interrupted.status == 1 && interrupted.output.contains("interrupted `cohort pack`"), "\(interrupted)")
    }

    @Test func aCorruptImageIsAnErrorNamingItOrSkippedAndCounted() throws {
        let folder = try Self.folder(limit: 40)
        let victim = try #require(try FileManager.default.contentsOfDirectory(atPath: folder + "/train/Bag").sorted().first)
        let path = folder + "/train/Bag/" + victim
        try Data("not a JPEG at all".utf8).write(to: URL(fileURLWithPath: path))
        let (_, refused) = try Self.pack(folder)
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.output.contains(path), "\(refused)")
        let (packed, run) = try Self.pack(folder, ["--skip-bad"])
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("packed 39 train, 40 test images") && run.output.contains("skipped 1 unreadable image file"), "\(run)")
        // The same samples, in the same order, as the folder opened with --skip-bad.
        let shape = ImageShape(channels: 1, height: 28, width: 28)
        let fromFolder = try DatasetOpener.open(directory: folder, imageShape: shape, holdout: 0, limit: nil, skipBad: true)
        let fromPack = try DatasetOpener.open(directory: packed, imageShape: shape, holdout: 0, limit: nil, skipBad: false)
        let files = try #require(fromFolder.train as? ImageFolderDataset)
        #expect(files.files.map { String($0.dropFirst(folder.count + 1)) } == (try PackIndex.read(from: packed)).splits["train"]?.path)
        #expect(fromPack.identity == fromFolder.identity)
    }

    @Test func packedSamplesLoadBitwiseLikeTheFolderWithCropAndDCTScaling() throws {
        // RGB photos large enough that the decoder DCT-scales them (600×450 for a 3×64×64 input: short side ≥ 74).
        let folder = TemporaryDirectory.make() + "/photos"
        var g = SplitMix64(state: 21)
        for name in ["cat", "dog"] {
            for split in ["train", "val"] {
                try FileManager.default.createDirectory(atPath: "\(folder)/\(split)/\(name)", withIntermediateDirectories: true)
                for i in 0..<3 {
                    let (w, h) = i == 1 ? (450, 600) : (600, 450)
                    let pixels = (0..<w * h * 3).map { p in UInt8(truncatingIfNeeded: (p / 3 % w) + (p / (3 * w)) * 3 + Int(g.below(16))) }
                    let jpeg = try ImageDecoder.encode(Raster(width: w, height: h, channels: 3, pixels: pixels), format: .jpeg, quality: 80)
                    try Data(jpeg).write(to: URL(fileURLWithPath: "\(folder)/\(split)/\(name)/\(i).JPEG"))
                }
            }
        }
        let packed = TemporaryDirectory.make() + "/packed"
        let summary = try DatasetPacker.pack(from: folder, to: packed, options: DatasetPacker.Options(shardBytes: 200_000, threads: 2))
        #expect(summary.samples.map(\.count) == [6, 6] && summary.shards >= 2, "\(summary)")
        let shape = ImageShape(channels: 3, height: 64, width: 64)
        let a = try DatasetOpener.open(directory: folder, imageShape: shape, holdout: 0, limit: nil, skipBad: false)
        let b = try DatasetOpener.open(directory: packed, imageShape: shape, holdout: 0, limit: nil, skipBad: false)
        let augmentation = try Augmentation.parse("crop,flip,rotate")
        for (x, y) in [(a.train, b.train), (try #require(a.validation), try #require(b.validation))] {
            #expect(x.count == y.count)
            for i in 0..<x.count {
                var p = [Float](repeating: 0, count: shape.count), q = [Float](repeating: 1, count: shape.count)
                let key = SampleKey(seed: 9, epoch: 2, index: i)
                try p.withUnsafeMutableBufferPointer { try x.load(i, into: $0, augmentation: augmentation, key: key) }
                try q.withUnsafeMutableBufferPointer { try y.load(i, into: $0, augmentation: augmentation, key: key) }
                #expect(p.map(\.bitPattern) == q.map(\.bitPattern), "sample \(i)")
                #expect(x.label(at: i) == y.label(at: i))
            }
        }
        // Each shard was opened once, however many samples were read from it.
        let trainShards = try #require(try PackIndex.read(from: packed).splits["train"]).shards.count
        #expect(trainShards >= 1 && (b.train as? PackedDataset)?.openedShards == trainShards)
    }

    @Test func anInterruptedPackResumesAfterItsLastCompleteShardAndEndsAsACleanPack() throws {
        let folder = try Self.folder(limit: 100)
        let options = DatasetPacker.Options(shardBytes: 20_000, threads: 1)
        let clean = TemporaryDirectory.make() + "/clean", resumed = TemporaryDirectory.make() + "/resumed"
        _ = try DatasetPacker.pack(from: folder, to: clean, options: options)
        struct Stop: Error {}
        var stopped = false
        do {
            _ = try DatasetPacker.pack(from: folder, to: resumed, options: options) { p in
                if p.split == "train" && p.done >= 64 { throw Stop() }
            }
        } catch is Stop { stopped = true }
        #expect(stopped && !PackIndex.exists(in: resumed))
        let opened = try CommandRunner.run([CommandRunner.cohort] + Runs.trainArguments(TemporaryDirectory.make(), extra: ["--data", resumed]), timeout: 60)
        #expect(opened.status == 1 && opened.output.contains("interrupted `cohort pack`"), "\(opened)")
        // A half-written shard after the complete ones, as a kill would leave it.
        let records = try FileManager.default.contentsOfDirectory(atPath: resumed).filter { $0.hasSuffix(".tar.json") }.sorted()
        #expect(records.count >= 3, "\(records)")
        try Data(repeating: 7, count: 1000).write(to: URL(fileURLWithPath: resumed + "/" + DatasetPacker.shardName(split: "train", number: records.count)))

        let run = try CommandRunner.run([CommandRunner.cohort, "pack", "--data", folder, "--out", resumed, "--shard-mb", "\(20_000.0 / 1_048_576)", "--threads", "1"], timeout: 60)
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("resumed an interrupted pack: kept \(records.count) train shard(s)"), "\(run)")
        let cleanFiles = try FileManager.default.contentsOfDirectory(atPath: clean).sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: resumed).sorted() == cleanFiles, "no records or stale shards left")
        for file in cleanFiles {
            #expect(FileManager.default.contents(atPath: clean + "/" + file) == FileManager.default.contents(atPath: resumed + "/" + file), "\(file)")
        }
    }

    @Test func resizeReencodesLargerImagesToTheShorterSideAndKeepsSmallerOnes() throws {
        let folder = TemporaryDirectory.make() + "/photos"
        var g = SplitMix64(state: 11)
        for (c, name) in ["a", "b"].enumerated() {
            try FileManager.default.createDirectory(atPath: "\(folder)/train/\(name)", withIntermediateDirectories: true)
            for (i, (w, h)) in [(160, 120), (90, 200), (40, 30)].enumerated() {
                let pixels = (0..<w * h * 3).map { p in UInt8(truncatingIfNeeded: (p / 3 % w) * 2 + c * 60 + Int(g.below(8))) }
                let jpeg = try ImageDecoder.encode(Raster(width: w, height: h, channels: 3, pixels: pixels), format: .jpeg, quality: 90)
                try Data(jpeg).write(to: URL(fileURLWithPath: "\(folder)/train/\(name)/\(i).jpg"))
            }
        }
        let (packed, run) = try Self.pack(folder, ["--resize", "48", "--quality", "85"])
        #expect(run.status == 0, "\(run)")
        let index = try PackIndex.read(from: packed)
        #expect(index.resize == 48 && index.quality == 85)
        let train = try #require(index.splits["train"])
        for i in 0..<train.count {
            let shard = try #require(FileHandle(forReadingAtPath: packed + "/" + train.shards[Int(train.shard[i])]))
            try shard.seek(toOffset: UInt64(train.offset[i]))
            let bytes = try #require(try shard.read(upToCount: Int(train.length[i])))
            let raster = try ImageDecoder.decode([UInt8](bytes), path: train.path[i], channels: 3)
            let expected = [(64, 48), (48, 107), (40, 30)][i % 3]
            #expect(raster.width == expected.0 && raster.height == expected.1, "\(train.path[i]): \(raster.width)x\(raster.height)")
            if i % 3 == 2 {
                #expect([UInt8](bytes) == [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + train.path[i]))), "kept as it was")
            }
        }
        let splits = try DatasetOpener.open(directory: packed, imageShape: ImageShape(channels: 3, height: 32, width: 32), holdout: 0, limit: nil, skipBad: false)
        #expect(splits.identity.hasPrefix("packed resize=48 quality=85 imagefolder"), "\(splits.identity)")
        var out = [Float](repeating: .nan, count: 3 * 32 * 32)
        try out.withUnsafeMutableBufferPointer { try splits.train.load(1, into: $0, augmentation: .none, key: SampleKey(seed: 1, epoch: 0, index: 1)) }
        #expect(out.allSatisfy { $0.isFinite })
    }
}
