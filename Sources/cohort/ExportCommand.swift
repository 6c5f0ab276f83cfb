import ArgumentParser
import CohortExport
import CohortTraining
import Foundation

/// `cohort export`: a checkpoint's model as a file other runtimes load.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a checkpoint's model for inference elsewhere.",
        discussion: """
        onnx: opset \(ONNXExporter.opset); input `input` [N, C, H, W] float32, normalized as `cohort predict` does \
        (the model's metadata says how); output `logits` [N, classes], no softmax. BatchNorm is kept as \
        BatchNormalization nodes with the running statistics; dropout is left out. \
        safetensors-plain: parameters and buffers by name, no metadata and no optimizer state (a state dict \
        for PyTorch's load_state_dict, or for `cohort train --init-from`).
        """
    )

    /// The file formats `--format` takes.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case onnx
        case safetensorsPlain = "safetensors-plain"
    }

    @Option(help: "Checkpoint file (.safetensors).") var checkpoint: String
    @Option(help: "Output format.") var format = Format.onnx
    @Option(help: "Output file; its folder must exist.") var out: String

    func validate() throws {
        let folder = (out as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--out \(out): folder '\(folder)' does not exist")
        }
    }

    func run() throws {
        let (network, state) = try CheckpointModel.load(checkpoint)
        if format == .safetensorsPlain {
            let written = try PlainStateDict.write(network.arena, to: out)
            print("wrote \(out): \(state.model), \(written.tensors) tensors (parameters and buffers, no metadata), \(written.bytes) bytes")
            return
        }
        let (normalization, centerFraction) = CheckpointModel.preprocessing(state)
        let metadata = [
            "cohort.model": state.model,
            "cohort.class_names": String(decoding: try JSONEncoder().encode((0..<state.classes).map { CheckpointModel.className(state, $0) }),
                                         as: UTF8.self),
            "cohort.input": (centerFraction < 1 ? "the centre \(centerFraction) of the image" : "the whole image")
                + " resized to \(state.inputShape.map(String.init).joined(separator: "x")) (C x H x W, bilinear), "
                + "then (pixel / 255 - mean) / std per channel",
            "cohort.mean": normalization.mean.map { "\($0)" }.joined(separator: ","),
            "cohort.std": normalization.std.map { "\($0)" }.joined(separator: ","),
        ]
        let data = try ONNXExporter.export(network, metadata: metadata)
        do {
            try data.write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw ValidationError("--out \(out): cannot write: \(error.localizedDescription)")
        }
        print("wrote \(out): \(state.model), ONNX opset \(ONNXExporter.opset), input [N, \(state.inputShape.map(String.init).joined(separator: ", "))], "
              + "output [N, \(state.classes)] logits, \(data.count) bytes")
    }
}
