import ArgumentParser
import CohortData
import Foundation

/// `cohort pack`: writes an ImageFolder as tar shards plus an index (a packed dataset, docs/DESIGN.md §11) that
/// `--data` reads like the folder; `cohort pack --verify DIR` checks a packed directory's every checksum.
struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Pack an ImageFolder into tar shards with an index (or --verify a packed directory).",
        discussion: """
        Shards are POSIX tar files (<split>-NNNNNN.tar) holding <key>.jpg|png and <key>.cls members; index.json, \
        written last, lists every sample's shard, offset, length, label, CRC-32C and original path in the folder's \
        order. --data accepts the packed directory wherever it accepts the folder.
        """)

    @Option(help: "ImageFolder to pack (train/<class>/*, and val/, test/ when present).") var data: String?
    @Option(help: "Output directory for the shards and index.json.") var out: String?
    @Option(name: .customLong("shard-mb"), help: "Approximate shard size in MB (2^20 bytes; fractions allowed).") var shardMB = 256.0
    @Option(help: "Re-encode images whose shorter side is larger than N as JPEG with shorter side N.") var resize: Int?
    @Option(help: "JPEG quality of re-encoded images (with --resize).") var quality = 90
    @Option(help: "Threads reading, checking and re-encoding images (default: the machine's cores).") var threads: Int?
    @Flag(name: .customLong("skip-bad"), help: "Leave undecodable images out with a counted warning instead of failing.") var skipBad = false
    @Option(help: "Check every shard and checksum of a packed directory instead of packing.") var verify: String?

    func validate() throws {
        if verify != nil {
            guard data == nil && out == nil else { throw ValidationError("--verify DIR takes no --data or --out") }
            return
        }
        guard data != nil else { throw ValidationError("--data DIR is required (the ImageFolder to pack)") }
        guard out != nil else { throw ValidationError("--out DIR is required (where the shards go)") }
        guard shardMB > 0 else { throw ValidationError("--shard-mb must be positive (got \(shardMB))") }
        if let resize, resize < 1 { throw ValidationError("--resize must be at least 1 (got \(resize))") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be in 1…100 (got \(quality))") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
    }

    func run() throws {
        if let verify { return try runVerify(verify) }
        let options = DatasetPacker.Options(shardBytes: Int(shardMB * 1_048_576), resize: resize, quality: quality, skipBad: skipBad,
                                            threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let terminal = isatty(STDERR_FILENO) != 0
        let start = ProcessInfo.processInfo.systemUptime
        var lastLine = start
        let summary = try DatasetPacker.pack(from: data!, to: out!, options: options) { p in
            let now = ProcessInfo.processInfo.systemUptime
            guard terminal || now - lastLine >= 10 || p.done == p.total else { return }
            lastLine = now
            let line = String(format: "pack: %@ %d/%d images, %d shard(s), %.1f MB, %.0f s",
                              p.split, p.done, p.total, p.shards, Double(p.bytes) / 1e6, now - start)
            FileHandle.standardError.write(Data(((terminal ? "\r" : "") + line + (terminal && p.done < p.total ? "" : "\n")).utf8))
        }
        let seconds = ProcessInfo.processInfo.systemUptime - start
        let counts = summary.samples.map { "\($0.count) \($0.split)" }.joined(separator: ", ")
        let total = summary.samples.reduce(0) { $0 + $1.count }
        print(String(format: "packed %@ images into %d shard(s), %.1f MB, in %@ (%.1f s, %.0f img/s)",
                     counts, summary.shards, Double(summary.bytes) / 1e6, out!, seconds, Double(total) / max(seconds, 1e-9)))
        for kept in summary.resumed {
            print("resumed an interrupted pack: kept \(kept.shards) \(kept.split) shard(s) with \(kept.samples) images")
        }
        if !summary.skipped.isEmpty {
            print("skipped \(summary.skipped.count) unreadable image file\(summary.skipped.count == 1 ? "" : "s") (--skip-bad):")
            for line in summary.skipped.prefix(20) { print("  \(line)") }
            if summary.skipped.count > 20 { print("  …") }
        }
    }

    private func runVerify(_ directory: String) throws {
        let report = try PackVerifier.verify(directory: directory)
        guard report.problems.isEmpty else {
            for line in report.problems.prefix(50) { print(line) }
            if report.problems.count > 50 { print("… \(report.problems.count - 50) more") }
            let count = report.problems.count
            throw DataError.badLayout(path: directory, reason: "damaged: \(count) problem\(count == 1 ? "" : "s") (listed above)")
        }
        print(String(format: "%@: %d samples in %d shard(s), %.1f MB: every checksum matches", directory, report.samples, report.shards,
                     Double(report.bytes) / 1e6))
    }
}
