import CohortRandom
import Foundation

/// `cohort pack`: writes an ImageFolder (`train/`, and `val/`, `test/` when present) as tar shards of about
/// `shardBytes` each plus an `index.json` written last (docs/DESIGN.md §11). Samples keep the folder's order.
/// Every image is decoded once to check it (a corrupt file is an error naming it, or with `skipBad` left out and
/// counted); with `resize` an image whose shorter side exceeds it is re-encoded as JPEG with that shorter side.
package enum DatasetPacker {
    package struct Options: Sendable {
        /// Target shard size: a shard is closed before the member that would take it past this (at least one sample each).
        package var shardBytes: Int
        /// Shorter side to re-encode larger images to; nil keeps every file's original bytes.
        package var resize: Int?
        /// JPEG quality of re-encoded images.
        package var quality: Int
        package var skipBad: Bool
        /// Threads reading, checking and re-encoding images.
        package var threads: Int

        package init(shardBytes: Int = 256 << 20, resize: Int? = nil, quality: Int = 90, skipBad: Bool = false,
                     threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
            self.shardBytes = shardBytes
            self.resize = resize
            self.quality = quality
            self.skipBad = skipBad
            self.threads = max(1, threads)
        }

        /// The options that shape the shards' content (not `threads`), as resume records compare them.
        var settings: String {
            "version=\(PackIndex.currentVersion) shardBytes=\(shardBytes) resize=\(resize.map(String.init) ?? "none") quality=\(quality) skipBad=\(skipBad)"
        }
    }

    /// Where a pack stands, for a progress line.
    package struct Progress: Sendable {
        package var split: String
        package var done: Int
        package var total: Int
        package var shards: Int
        package var bytes: Int
    }

    /// What a pack wrote.
    package struct Summary: Sendable {
        /// Samples per split, in "train", "val", "test" order.
        package var samples: [(split: String, count: Int)] = []
        package var shards = 0
        package var bytes = 0
        /// Skipped files (with `skipBad`): the decoder's message naming each.
        package var skipped: [String] = []
        /// Per split, the shards and samples kept from an interrupted earlier pack.
        package var resumed: [(split: String, shards: Int, samples: Int)] = []
    }

    /// The name of shard `number` of `split`.
    package static func shardName(split: String, number: Int) -> String {
        let digits = String(number)
        return "\(split)-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits).tar"
    }

    /// The WebDataset key of sample `number`: nine digits, shared by its image member and its `.cls` member.
    static func memberKey(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 9 - digits.count)) + digits
    }

    /// Packs `root` into `out`. Shards an interrupted earlier pack with the same options closed (each has its
    /// `ShardRecord`) are kept and packing goes on after them; `progress` may throw to stop (the shards closed so
    /// far stay resumable).
    package static func pack(from root: String, to out: String, options: Options,
                            progress: (Progress) throws -> Void = { _ in }) throws -> Summary {
        guard ImageFolderOpener.isDirectory(root + "/train") else { throw DataError.badLayout(path: root, reason: "no train/ folder") }
        if PackIndex.exists(in: out) {
            throw DataError.invalidOption("--out \(out) already holds a packed dataset (\(PackIndex.fileName)); remove it or choose another directory")
        }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw DataError.unwritable(path: out, reason: "cannot create directory")
        }
        // Splits the folder no longer has: shards of an earlier interrupted pack that no index will list.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
        where name == PackIndex.fileName + ".tmp"
            || ["train", "val", "test"].contains(where: { name.hasPrefix($0 + "-") && !ImageFolderOpener.isDirectory(root + "/" + $0) }) {
            try? FileManager.default.removeItem(atPath: out + "/" + name)
        }

        var summary = Summary()
        var index = PackIndex(format: PackIndex.formatName, version: PackIndex.currentVersion, resize: options.resize,
                              quality: options.resize == nil ? nil : options.quality, classNames: [], splits: [:])
        for name in ["train", "val", "test"] {
            let dir = root + "/" + name
            guard ImageFolderOpener.isDirectory(dir) else { continue }
            let (classes, files) = try ImageFolderOpener.scan(dir)
            if name == "train" {
                index.classNames = classes
            } else if classes != index.classNames {
                let a = Set(index.classNames), b = Set(classes)
                throw DataError.classMismatch(train: root + "/train", other: dir, onlyInTrain: a.subtracting(b).sorted(),
                                              onlyInOther: b.subtracting(a).sorted())
            }
            let split = try packSplit(name, root: root, files: files, classes: classes, out: out, options: options,
                                      summary: &summary, progress: progress)
            index.splits[name] = split
            summary.samples.append((name, split.count))
        }
        try index.write(to: out)
        for split in index.splits.values {
            for shard in split.shards { try? FileManager.default.removeItem(atPath: ShardRecord.path(out: out, shard: shard)) }
        }
        return summary
    }

    /// One prepared sample: the bytes to store, or the error that names the file.
    fileprivate enum Prepared {
        case ready([UInt8])
        case failed(Error)
    }

    private static func packSplit(_ name: String, root: String, files: [(path: String, label: Int32)], classes: [String],
                                  out: String, options: Options, summary: inout Summary,
                                  progress: (Progress) throws -> Void) throws -> PackIndex.Split {
        var split = PackIndex.Split()
        // Resume: the complete shards of an interrupted pack with these options, in order from the first.
        var start = 0
        while true {
            let shardName = shardName(split: name, number: split.shards.count)
            guard let record = ShardRecord.read(out: out, shard: shardName), record.settings == options.settings,
                  record.split == name, record.folderFiles == files.count, record.nextFile <= files.count,
                  record.nextFile > start, let lastPath = record.path.last,
                  lastPath == String(files[record.nextFile - 1].path.dropFirst(root.count + 1)) else { break }
            split.shards.append(shardName)
            split.shardBytes.append(record.bytes)
            split.shard += [Int32](repeating: Int32(split.shards.count - 1), count: record.path.count)
            split.offset += record.offset
            split.length += record.length
            split.label += record.label
            split.crc32c += record.crc32c
            split.path += record.path
            summary.skipped += record.skipped
            summary.shards += 1
            summary.bytes += record.bytes
            start = record.nextFile
        }
        if !split.shards.isEmpty { summary.resumed.append((name, split.shards.count, split.count)) }
        // Whatever else of this split is there is from an interrupted pack, incomplete or made otherwise.
        let kept = Set(split.shards.flatMap { [$0, $0 + ".json"] })
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
        where entry.hasPrefix(name + "-") && !kept.contains(entry) {
            try? FileManager.default.removeItem(atPath: out + "/" + entry)
        }

        var shard: ShardFile?
        var shardFirst = split.count, nextFile = start
        var skipped: [(position: Int, message: String)] = []
        func closeShard() throws {
            guard let file = shard else { return }
            try file.appendZeros(2 * TarFormat.block)
            try file.sync()
            file.close()
            split.shardBytes.append(file.size)
            summary.bytes += file.size
            shard = nil
            let samples = shardFirst..<split.count
            let record = ShardRecord(settings: options.settings, split: name, folderFiles: files.count, nextFile: nextFile,
                                     bytes: file.size, offset: Array(split.offset[samples]), length: Array(split.length[samples]),
                                     label: Array(split.label[samples]), crc32c: Array(split.crc32c[samples]),
                                     path: Array(split.path[samples]), skipped: skipped.filter { $0.position < nextFile }.map(\.message))
            skipped.removeAll { $0.position < nextFile }
            try record.write(out: out, shard: split.shards.last!)
            shardFirst = split.count
        }
        let chunk = 32 * options.threads
        var prepared = [Prepared?](repeating: nil, count: chunk)
        for first in stride(from: start, to: files.count, by: chunk) {
            let last = min(first + chunk, files.count)
            prepared.withUnsafeMutableBufferPointer { buffer in
                let slots = PreparedSlots(buffer)
                DispatchQueue.concurrentPerform(iterations: options.threads) { t in
                    var i = first + t
                    while i < last {
                        do {
                            slots.buffer[i - first] = .ready(try prepare(files[i].path, options: options))
                        } catch {
                            slots.buffer[i - first] = .failed(error)
                        }
                        i += options.threads
                    }
                }
            }
            for i in first..<last {
                guard case let .ready(bytes)? = prepared[i - first] else {
                    guard case let .failed(error)? = prepared[i - first] else { continue }
                    guard options.skipBad else { throw error }
                    summary.skipped.append("\(error)")
                    skipped.append((i, "\(error)"))
                    continue
                }
                let number = split.count
                let key = memberKey(number)
                let ext = bytes.withUnsafeBufferPointer { ImageDecoder.format(of: $0) }?.fileExtension ?? "bin"
                let cls = Array(String(files[i].label).utf8)
                let need = TarFormat.memberSize(bytes.count) + TarFormat.memberSize(cls.count) + 2 * TarFormat.block
                if let file = shard, file.size + need > options.shardBytes { try closeShard() }
                if shard == nil {
                    let shardName = shardName(split: name, number: split.shards.count)
                    shard = try ShardFile(creating: out + "/" + shardName)
                    split.shards.append(shardName)
                    summary.shards += 1
                }
                let file = shard!
                try file.append(TarFormat.header(name: key + "." + ext, size: bytes.count))
                split.shard.append(Int32(split.shards.count - 1))
                split.offset.append(file.size)
                split.length.append(Int32(bytes.count))
                split.label.append(files[i].label)
                split.crc32c.append(bytes.withUnsafeBytes { CRC32C.checksum($0) })
                split.path.append(String(files[i].path.dropFirst(root.count + 1)))
                try file.append(bytes)
                try file.appendZeros(TarFormat.padded(bytes.count) - bytes.count)
                try file.append(TarFormat.header(name: key + ".cls", size: cls.count))
                try file.append(cls)
                try file.appendZeros(TarFormat.padded(cls.count) - cls.count)
                nextFile = i + 1
            }
            for i in 0..<prepared.count { prepared[i] = nil }
            try progress(Progress(split: name, done: last, total: files.count, shards: summary.shards,
                              bytes: summary.bytes + (shard?.size ?? 0)))
        }
        try closeShard()
        if options.skipBad, let empty = classes.indices.first(where: { !split.label.contains(Int32($0)) }) {
            throw DataError.emptyClass(path: root + "/" + name + "/" + classes[empty])
        }
        return split
    }

    /// Reads and checks one image; returns its original bytes, or with `resize` (and a shorter side above it) the
    /// JPEG of its resized image.
    static func prepare(_ path: String, options: Options) throws -> [UInt8] {
        let bytes = try FileReading.readRaw(path)
        guard let side = options.resize else {
            _ = try ImageDecoder.decode(bytes, path: path, channels: 3, minimumShortSide: 1)
            return bytes
        }
        let (width, height) = try ImageDecoder.dimensions(bytes, path: path)
        guard min(width, height) > side else {
            _ = try ImageDecoder.decode(bytes, path: path, channels: 3, minimumShortSide: 1)
            return bytes
        }
        // The target comes from the original size; the decode may be DCT-scaled down to no less than it.
        let target = ImageResize.shorterSide(width: width, height: height, to: side)
        let raster = try ImageDecoder.decode(bytes, path: path, channels: 3, minimumShortSide: side)
        return try ImageDecoder.encode(ImageResize.resized(raster, width: target.width, height: target.height),
                                       format: .jpeg, quality: options.quality)
    }
}

/// Distinct-index writes from `concurrentPerform` iterations.
private struct PreparedSlots: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<DatasetPacker.Prepared?>
    init(_ buffer: UnsafeMutableBufferPointer<DatasetPacker.Prepared?>) { self.buffer = buffer }
}
