import ArgumentParser
import CohortCore
import CohortModels
import Foundation

/// `cohort summary`: a Keras-style per-layer table of one zoo model, then its totals and forward FLOPs.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Per-layer output shapes and parameter counts of a zoo model.",
        discussion: "Rows are the layers reached through sequential containers; a residual block, inception module "
            + "or separable convolution is one row covering everything inside it.")

    @Option(help: "Zoo model name (see `cohort models`).") var model: String
    @Option(help: "Number of classes (default: the model's).") var classes: Int?
    @Option(help: "Per-sample input as C,H,W or CxHxW (default: the model's).", transform: SummaryCommand.parseInput) var input: Shape?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        do { _ = try ModelZoo.entry(named: model) } catch let error as ZooError { throw ValidationError(error.description) }
        if let classes, classes < 1 { throw ValidationError("--classes must be at least 1 (got \(classes))") }
    }

    func run() throws {
        let entry = try ModelZoo.entry(named: model)
        let summary = try ModelSummary(model: model, classes: classes, input: input)
        let classCount = classes ?? entry.defaultClasses
        if json {
            let object: [String: Any] = [
                "model": model, "input": summary.input.dims, "classes": classCount, "output_shape": summary.outputShape.dims,
                "layers": summary.rows.map { row in
                    ["name": row.name, "type": row.type, "output_shape": row.outputShape.dims, "params": row.trainable + row.buffers,
                     "trainable_params": row.trainable, "non_trainable_params": row.buffers, "forward_flops": row.forwardFLOPs] as [String: Any]
                },
                "total_params": summary.total, "trainable_params": summary.trainable, "non_trainable_params": summary.buffers,
                "forward_flops": summary.forwardFLOPs,
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        print("Model: \(model) (input \(summary.input.dims.map(String.init).joined(separator: "×")), \(classCount) classes)")
        var table = TextTable([("Layer (type)", .left), ("Output shape", .left), ("Param #", .right), ("FLOPs", .right)])
        for row in summary.rows {
            table.append(["\(row.name) (\(row.type))", row.outputShape.description, (row.trainable + row.buffers).grouped, Self.scaled(row.forwardFLOPs)])
        }
        print(table.render())
        print("Total params: \(summary.total.grouped)")
        print("Trainable params: \(summary.trainable.grouped)")
        print("Non-trainable params: \(summary.buffers.grouped)")
        print("Forward FLOPs per sample: \(summary.forwardFLOPs.grouped) (\(Self.scaled(summary.forwardFLOPs)))")
    }

    /// "3,224,224", "3x224x224" or "3×224×224" → [3, 224, 224].
    static func parseInput(_ text: String) throws -> Shape {
        let parts = text.split(whereSeparator: { ",xX×".contains($0) }).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, parts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--input must be three positive sizes C,H,W such as 3,224,224 (got '\(text)')")
        }
        return Shape(parts.map { $0! })
    }

    /// 8178368512 → "8.18 G".
    static func scaled(_ flops: Int) -> String {
        let value = Double(flops)
        switch value {
        case 1e9...: return String(format: "%.2f G", value / 1e9)
        case 1e6...: return String(format: "%.2f M", value / 1e6)
        case 1e3...: return String(format: "%.2f K", value / 1e3)
        default: return String(flops)
        }
    }
}
