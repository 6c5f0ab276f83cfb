import CohortTraining
import Foundation

/// `cohort bench --simulate-nodes`: the scaling model's predictions as a table, fp32 and bf16
/// gradients, with and without overlap, and where efficiency falls below one half.
struct ScalingTable {
    let model: ScalingModel
    let network: String
    let nodes: [Int]

    func render() -> String {
        var table = TextTable([("nodes", .right), ("allreduce ms fp32", .right), ("img/s overlap", .right), ("eff.", .right),
                               ("img/s no overlap", .right), ("eff.", .right), ("allreduce ms bf16", .right), ("img/s bf16 overlap", .right), ("eff.", .right)])
        for n in nodes {
            let overlapped = model.predict(nodes: n, overlap: true, compressed: false)
            let serial = model.predict(nodes: n, overlap: false, compressed: false)
            let compressed = model.predict(nodes: n, overlap: true, compressed: true)
            table.append(["\(n)", String(format: "%.1f", overlapped.allreduceMilliseconds), String(format: "%.1f", overlapped.imagesPerSecond),
                          Self.percent(overlapped.efficiency), String(format: "%.1f", serial.imagesPerSecond), Self.percent(serial.efficiency),
                          String(format: "%.1f", compressed.allreduceMilliseconds), String(format: "%.1f", compressed.imagesPerSecond),
                          Self.percent(compressed.efficiency)])
        }
        func limit(overlap: Bool, compressed: Bool) -> String {
            model.stopsScaling(at: nodes, overlap: overlap, compressed: compressed).map { "below 50% from \($0) nodes" } ?? "≥ 50% up to \(nodes.max() ?? 0) nodes"
        }
        return ["scaling model: ring allreduce of \(String(format: "%.1f", model.gradientBytes / 1_048_576)) MB per step on \(network) links, "
                + "\(model.imagesPerNode) images per node per step, this run's forward/backward/optimizer times per node",
                table.render(),
                "fp32 with overlap: \(limit(overlap: true, compressed: false)); without overlap: \(limit(overlap: false, compressed: false)); "
                + "bf16 with overlap: \(limit(overlap: true, compressed: true))"].joined(separator: "\n")
    }

    static func percent(_ value: Double) -> String { String(format: "%.0f%%", value * 100) }
}
