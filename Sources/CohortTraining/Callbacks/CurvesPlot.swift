import Foundation

/// Rewrites an SVG with loss and accuracy per epoch (train and validation) after every epoch,
/// and once more with the unfinished epoch when a run stops mid-epoch, so a user can look
/// instead of read.
package final class CurvesPlot: TrainingCallback {
    package let path: String

    package init(path: String) { self.path = path }

    package func epochEnded(_ metrics: EpochMetrics, history: [[String: Double]]) {
        try? Self.svg(history: history).write(toFile: path, atomically: true, encoding: .utf8)
    }

    package func stoppedMidEpoch(_ partial: EpochMetrics, history: [[String: Double]]) {
        try? Self.svg(history: history + [partial.record]).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Two panels side by side: loss (left) and accuracy (right), train solid, validation dashed;
    /// x is each record's `epoch` (fractional for a partial epoch).
    static func svg(history: [[String: Double]]) -> String {
        let width = 420.0, height = 280.0, margin = 44.0
        var body = ""
        for (panel, (title, keys)) in [("loss", ["loss", "val_loss"]), ("accuracy", ["accuracy", "val_accuracy"])].enumerated() {
            let x0 = Double(panel) * width
            let series = keys.map { key in history.enumerated().compactMap { i, r in r[key].map { (r["epoch"] ?? Double(i + 1), $0) } } }
            let values = series.flatMap { $0.map(\.1) }.filter(\.isFinite)
            var low = values.min() ?? 0, high = values.max() ?? 1
            if high - low < 1e-9 { low -= 0.5; high += 0.5 }
            let first = min(history.first?["epoch"] ?? 1, 1), last = max(history.last?["epoch"] ?? 2, first + 1)
            func px(_ e: Double) -> Double { x0 + margin + (e - first) / (last - first) * (width - 2 * margin) }
            func py(_ v: Double) -> Double { height - margin - (v - low) / (high - low) * (height - 2 * margin) }
            body += "<text x=\"\(x0 + width / 2)\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">\(title)</text>\n"
            body += "<rect x=\"\(x0 + margin)\" y=\"\(margin)\" width=\"\(width - 2 * margin)\" height=\"\(height - 2 * margin)\" fill=\"none\" stroke=\"#999\"/>\n"
            body += "<text x=\"\(x0 + 4)\" y=\"\(margin + 4)\" font-size=\"10\">\(String(format: "%.3f", high))</text>\n"
            body += "<text x=\"\(x0 + 4)\" y=\"\(height - margin)\" font-size=\"10\">\(String(format: "%.3f", low))</text>\n"
            body += "<text x=\"\(x0 + width / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\" font-size=\"10\">epoch (\(Self.label(first))–\(Self.label(last)))</text>\n"
            for (index, points) in series.enumerated() where !points.isEmpty {
                let color = index == 0 ? "#1f77b4" : "#d62728"
                let dash = index == 0 ? "" : " stroke-dasharray=\"5,3\""
                let coordinates = points.map { String(format: "%.1f,%.1f", px($0.0), py($0.1)) }.joined(separator: " ")
                body += "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>\n"
                for (x, y) in points { body += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" ", px(x), py(y)) + "fill=\"\(color)\"/>\n" }
                body += "<text x=\"\(x0 + width - margin - 60)\" y=\"\(margin + 14 + Double(index) * 14)\" font-size=\"10\" fill=\"\(color)\">\(index == 0 ? "train" : "validation")</text>\n"
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(2 * width)\" height=\"\(height)\" font-family=\"sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body + "</svg>\n"
    }

    /// An epoch axis label: whole epochs plainly, a partial one with two decimals.
    private static func label(_ epoch: Double) -> String {
        epoch == epoch.rounded() ? String(Int(epoch)) : String(format: "%.2f", epoch)
    }
}
