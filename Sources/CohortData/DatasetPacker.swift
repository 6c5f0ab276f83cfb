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
    }

    /// The name of shard `number` of `split`.
    static func shardName(split: String, number: Int) -> String {
        let digits = String(number)
        return "\(split)-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits).tar"
    }

    /// The WebDataset key of sample `number`: nine digits, shared by its image member and its `.cls` member.
    static func memberKey(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 9 - digits.count)) + digits
    }

    package static func pack(from root: String, to out: String, options: Options,
                            progress: (Progress) -> Void = { _ in }) throws -> Summary {
        guard ImageFolderOpener.isDirectory(root + "/train") else { throw DataError.badLayout(path: root, reason: "no train/ folder") }
        if PackIndex.exists(in: out) {
            throw DataError.invalidOption("--out \(out) already holds a packed dataset (\(PackIndex.fileName)); remove it or choose another directory")
        }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw DataError.unwritable(path: out, reason: "cannot create directory")
        }
        // Shards of an interrupted earlier pack: never listed by an index, removed so the directory holds one pack.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
        where name == PackIndex.fileName + ".tmp" || ["train-", "val-", "test-"].contains(where: { name.hasPrefix($0) }) && name.hasSuffix(".tar") {
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
        return summary
    }

    /// One prepared sample: the bytes to store and their extension, or the error that names the file.
    fileprivate enum Prepared {
        case ready([UInt8])
        case failed(Error)
    }

    private static func packSplit(_ name: String, root: String, files: [(path: String, label: Int32)], classes: [String],
                                  out: String, options: Options, summary: inout Summary,
                                  progress: (Progress) -> Void) throws -> PackIndex.Split {
        var split = PackIndex.Split()
        var shard: ShardFile?
        func closeShard() throws {
            guard let file = shard else { return }
            try file.appendZeros(2 * TarFormat.block)
            try file.sync()
            file.close()
            split.shardBytes.append(file.size)
            summary.bytes += file.size
            shard = nil
        }
        let chunk = 32 * options.threads
        var prepared = [Prepared?](repeating: nil, count: chunk)
        for first in stride(from: 0, to: files.count, by: chunk) {
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
            }
            for i in 0..<prepared.count { prepared[i] = nil }
            progress(Progress(split: name, done: last, total: files.count, shards: summary.shards,
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
