import CohortCore
import CohortTraining
import Foundation

/// What `cohort bench` prints: a table for people, or one JSON object for scripts.
struct BenchReport {
    let model: String
    let input: Shape
    let forwardFLOPs: Int
    let convolution: Conv2D.Algorithm
    let batchSize: Int
    let threadsPerRank: Int
    let ranks: [ThroughputBenchmark.Measurement]

    /// Images per second of the whole job: the global batch over the slowest rank's step time.
    var imagesPerSecond: Double {
        let seconds = ranks.map { $0.seconds / Double($0.steps) }.max() ?? 0
        return seconds > 0 ? Double(batchSize) / seconds : 0
    }

    static let phases = ["data", "forward", "backward", "communication", "optimizer"]

    var windowCount: Int { ranks.first?.windowImagesPerSecond.count ?? 0 }

    func table(layers: Bool) -> String {
        var lines = [
            "bench \(model) \(input) batch \(batchSize) (\(ranks.count) rank(s) × \(batchSize / ranks.count), \(threadsPerRank) thread(s) each), "
                + "\(windowCount) window(s) of \(ranks.first?.steps ?? 0) steps after warm-up (img/s and serial: the median window); \(String(format: "%.1f", Double(forwardFLOPs) / 1e6)) MFLOP forward per image; OpenBLAS \(BLASCore.description) kernels",
            "rank   img/s   ms/step: data  forward  backward  comm-wait  optimizer   model GFLOP/s  conv GFLOP/s (share)  sgemm GFLOP/s  serial",
        ]
        for r in ranks {
            let ms = Self.phases.map { r.stepMilliseconds[$0] ?? 0 }
            lines.append(String(format: "%4d %7.1f   %13.1f %8.1f %9.1f %10.1f %10.1f   %13.1f %13.1f (%3.0f%%) %14.1f  ",
                                r.rank, r.imagesPerSecond, ms[0], ms[1], ms[2], ms[3], ms[4], r.modelGFLOPS,
                                r.convolutionGFLOPS, r.convolutionShare * 100, r.sgemmGFLOPS)
                         + (r.serialFraction.map { String(format: "%5.1f%%", $0 * 100) } ?? "    –"))
        }
        lines.append(String(format: "total: %.1f img/s; peak resident memory per rank: ", imagesPerSecond)
                     + ranks.map { String(format: "%.0f MB (%.0f MB once the model was built)", $0.peakResidentMegabytes, $0.builtModelResidentMegabytes) }
                        .joined(separator: ", "))
        if layers, let first = ranks.first {
            lines.append("rank 0's slowest layers (ms/step): name, kind, forward, backward, GFLOP/s")
            for l in first.slowestLayers {
                lines.append("  " + l.name.padding(toLength: 24, withPad: " ", startingAt: 0) + l.kind.padding(toLength: 18, withPad: " ", startingAt: 0)
                             + String(format: "%8.2f %8.2f %8.1f", l.forwardMilliseconds, l.backwardMilliseconds, l.gflops))
            }
        }
        return lines.joined(separator: "\n")
    }

    func json() throws -> String {
        let object: [String: Any] = [
            "model": model, "input": input.dims, "batch_size": batchSize, "ranks": ranks.count, "threads_per_rank": threadsPerRank,
            "windows": windowCount, "steps_per_window": ranks.first?.steps ?? 0,
            "conv_algorithm": convolution.rawValue,
            "images_per_sec": imagesPerSecond, "blas_core": BLASCore.name,
            "openblas_thread_timeout": ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"] ?? "", "forward_mflop_per_image": Double(forwardFLOPs) / 1e6,
            "model_gflops": ranks.reduce(0) { $0 + $1.modelGFLOPS },
            "conv_gflops": ranks.reduce(0) { $0 + $1.convolutionGFLOPS },
            "sgemm_gflops": ranks.reduce(0) { $0 + $1.sgemmGFLOPS },
            "peak_rss_mb": ranks.map(\.peakResidentMegabytes).max() ?? 0,
            "built_model_rss_mb": ranks.map(\.builtModelResidentMegabytes).max() ?? 0,
            "serial_fraction": ranks.compactMap(\.serialFraction).max().map { $0 as Any } ?? NSNull(),
            "per_rank": ranks.map { r -> [String: Any] in
                ["rank": r.rank, "images_per_sec": r.imagesPerSecond, "window_images_per_sec": r.windowImagesPerSecond, "step_ms": r.stepMilliseconds, "model_gflops": r.modelGFLOPS,
                 "conv_gflops": r.convolutionGFLOPS, "conv_share": r.convolutionShare, "sgemm_gflops": r.sgemmGFLOPS,
                 "peak_rss_mb": r.peakResidentMegabytes, "built_model_rss_mb": r.builtModelResidentMegabytes,
                 "serial_fraction": r.serialFraction.map { $0 as Any } ?? NSNull(), "window_serial_fractions": r.windowSerialFractions]
            },
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }
}
