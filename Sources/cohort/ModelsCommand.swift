import ArgumentParser
import CohortCore
import CohortModels
import Foundation

/// `cohort models`: every zoo model with its default input, classes, parameter counts and forward cost.
/// Counts come from each model's built layer tree, whose parameters have no storage until an arena lays them out, so the listing is instant.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the model zoo: default input, classes, parameters, forward GFLOPs per image.",
        discussion: "Total params follow Keras (trainable + BatchNorm moving mean/variance); trainable params are torchvision's count.")

    @Flag(help: "Print one JSON array.") var json = false

    func run() throws {
        let summaries = try ModelZoo.entries.map { entry in (entry, try ModelSummary(model: entry.name)) }
        if json {
            let objects: [[String: Any]] = summaries.map { entry, summary in
                [
                    "name": entry.name, "input": entry.defaultInput.dims, "classes": entry.defaultClasses,
                    "trainable_params": summary.trainable, "non_trainable_params": summary.buffers, "total_params": summary.total,
                    "forward_flops": summary.forwardFLOPs, "summary": entry.summary,
                ]
            }
            print(String(decoding: try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        var table = TextTable([("model", .left), ("input", .left), ("classes", .right), ("trainable", .right),
                               ("total", .right), ("GFLOPs", .right), ("description", .left)])
        for (entry, summary) in summaries {
            table.append([entry.name, entry.defaultInput.dims.map(String.init).joined(separator: "×"), String(entry.defaultClasses),
                          summary.trainable.grouped, summary.total.grouped, String(format: "%.2f", Double(summary.forwardFLOPs) / 1e9), entry.summary])
        }
        print(table.render())
        print("total = trainable + BatchNorm moving mean/variance (Keras); GFLOPs = forward, per image, 2 × multiply-adds.")
    }
}
