import CohortCore
import CohortData
import CohortExport
import CohortModels
import CohortRandom
import CohortTestSupport
import Foundation
import Testing

/// `cohort export --format onnx` against onnxruntime: the graph exported from a checkpoint of one
/// training step gives the logits `cohort predict --json` prints for the same images; and the
/// errors of bad flags and layers without an ONNX form.
@Suite(.serialized) struct ONNXExportTests {
    /// Runs the model (argv[1]) with onnxruntime on N (argv[3]) raw float32 inputs (argv[2]); prints the outputs as JSON.
    static let onnxRuntime = """
    import json, sys
    import numpy as np
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(sys.argv[1], options, providers=["CPUExecutionProvider"])
    declared = session.get_inputs()[0]
    x = np.fromfile(sys.argv[2], dtype="<f4").reshape([int(sys.argv[3])] + declared.shape[1:])
    (logits,) = session.run(["logits"], {declared.name: x})
    print(json.dumps({"input": declared.name, "logits": logits.astype(float).tolist()}))
    """

    static func cohort(_ arguments: [String], timeout: Double = 60) throws -> CommandRunner.Outcome {
        try CommandRunner.run([CommandRunner.cohort] + arguments, timeout: timeout)
    }

    /// An ImageFolder of four seeded random 40×40 RGB PNG files in two classes under `directory`; returns its root.
    static func imageFolder(in directory: String) throws -> String {
        var generator = SplitMix64(seed: 3)
        for (label, name) in ["cat", "dog"].enumerated() {
            let folder = directory + "/data/train/" + name
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for index in 0..<2 {
                let pixels = (0..<(40 * 40 * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let png = try ImageDecoder.encode(Raster(width: 40, height: 40, channels: 3, pixels: pixels), format: .png)
                try Data(png).write(to: URL(fileURLWithPath: folder + "/\(label)\(index).png"))
            }
        }
        return directory + "/data"
    }

    /// One SGD step of `model` on a fresh ImageFolder: the checkpoint, the data root and the input shape.
    static func trainedCheckpoint(_ model: String, imageSize: Int?, in directory: String) throws -> (checkpoint: String, data: String, input: ImageShape) {
        let data = try imageFolder(in: directory)
        let train = try cohort(["train", "--model", model, "--data", data, "--batch-size", "4", "--epochs", "1", "--lr", "0.05",
                                "--threads", "1", "--checkpoint-dir", directory + "/run"] + (imageSize.map { ["--image-size", "\($0)"] } ?? []),
                               timeout: 120)
        try #require(train.status == 0, "\(train)")
        let defaults = try ModelZoo.entry(named: model).defaultInput
        let size = imageSize ?? defaults[1]
        return (directory + "/run/last.safetensors", data, ImageShape(channels: defaults[0], height: size, width: size))
    }

    @Test(arguments: [("fashion-cnn", nil), ("lenet5", nil), ("resnet18", 32), ("googlenet", 32), ("xception", 32), ("se-resnet50", 32)] as [(String, Int?)])
    func onnxruntimeGivesPredictsLogits(model: String, imageSize: Int?) throws {
        let directory = TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (checkpoint, data, shape) = try Self.trainedCheckpoint(model, imageSize: imageSize, in: directory)
        let onnx = directory + "/model.onnx"
        let export = try Self.cohort(["export", "--checkpoint", checkpoint, "--format", "onnx", "--out", onnx])
        try #require(export.status == 0, "\(export)")
        let predict = try Self.cohort(["predict", "--checkpoint", checkpoint, "--json", "--batch-size", "3", data])
        try #require(predict.status == 0, "\(predict)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(predict.output.utf8)) as? [String: Any], "\(predict)")
        let predictions = try #require(report["predictions"] as? [[String: Any]])
        let paths = predictions.compactMap { $0["path"] as? String }
        #expect(paths == ["cat/00.png", "cat/01.png", "dog/10.png", "dog/11.png"].map { data + "/train/" + $0 }, "the folder, recursively, in order")
        let cohortLogits = try predictions.map { try #require($0["logits"] as? [Double]) }

        // The same inputs `cohort predict` built (ImageFolder checkpoints: centre crop, ImageNet statistics).
        let inputs = try paths.flatMap { try ImageFolderDataset.loadFile($0, shape: shape, normalization: .imageNet) }
        let worst = try Self.compareWithRuntime(onnx: onnx, inputs: inputs, count: paths.count, cohortLogits: cohortLogits, in: directory)
        print("\(model): onnxruntime vs cohort predict, largest relative logit difference \(worst)")
    }

    /// The zoo models the test above leaves out, in process: a seeded network (BatchNorm running
    /// means from [-0.2, 0.2], variances from [0.5, 1.5]) exported and run by onnxruntime on two random samples.
    @Test(arguments: [("lenet5-classic", 28), ("alexnet", 71), ("alexnet-lrn", 71), ("vgg16", 32), ("resnet34", 32), ("resnet50", 32),
                      ("resnet101", 32), ("resnet152", 32), ("resnet18-cifar", 32), ("resnet18-fashion", 28)])
    func everyOtherZooModelRunsInOnnxruntime(model: String, size: Int) throws {
        let directory = TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let channels = try ModelZoo.entry(named: model).defaultInput[0]
        let network = try ModelZoo.network(named: model, classes: 3, input: [channels, size, size])
        network.arena.initialize(seed: 5)
        var generator = SplitMix64(seed: 6)
        for (name, buffer) in network.arena.buffers {
            let (low, width): (Float, Float) = name.hasSuffix("running_var") ? (0.5, 1) : (-0.2, 0.4)
            for i in 0..<buffer.count { buffer.value[i] = low + width * generator.nextFloat() }
        }
        let x = Tensor(zeros: network.inputShape.batched(2))
        for i in 0..<x.count { x[i] = generator.nextFloat() * 2 - 1 }
        let logits = try network.forward(x, context: Context(mode: .inference)).array.map(Double.init)
        let onnx = directory + "/model.onnx"
        try ONNXExporter.export(network).write(to: URL(fileURLWithPath: onnx))
        let worst = try Self.compareWithRuntime(onnx: onnx, inputs: x.array, count: 2, cohortLogits: [Array(logits[0..<3]), Array(logits[3...])],
                                                in: directory)
        print("\(model): onnxruntime vs cohort, largest relative logit difference \(worst)")
    }

    /// Runs `onnx` with onnxruntime on `count` samples `inputs`, expects its logits within 1e-4 of
    /// `cohortLogits` relative to each sample's largest logit; returns the largest such difference.
    static func compareWithRuntime(onnx: String, inputs: [Float], count: Int, cohortLogits: [[Double]], in directory: String) throws -> Double {
        #expect(cohortLogits.joined().contains { abs($0) > 1e-6 }, "every logit zero: nothing to compare")
        let inputFile = directory + "/inputs.f32"
        try inputs.withUnsafeBufferPointer { try Data(buffer: $0).write(to: URL(fileURLWithPath: inputFile)) }
        let run = try CommandRunner.run(["python3", "-c", onnxRuntime, onnx, inputFile, "\(count)"], timeout: 60)
        try #require(run.status == 0, "\(run)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "\(run)")
        let runtimeLogits = try #require(result["logits"] as? [[Double]])
        #expect(result["input"] as? String == "input")
        #expect(runtimeLogits.count == cohortLogits.count && zip(runtimeLogits, cohortLogits).allSatisfy { $0.count == $1.count })
        var worst = 0.0
        for (mine, theirs) in zip(cohortLogits, runtimeLogits) {
            // Relative to the sample's largest logit, so a logit near zero is not held to a tighter bound.
            let scale = max(mine.map(abs).max() ?? 0, 1e-6)
            worst = max(worst, zip(mine, theirs).map { abs($0 - $1) / scale }.max() ?? .infinity)
        }
        #expect(worst <= 1e-4, "onnxruntime logits \(runtimeLogits) vs cohort \(cohortLogits)")
        return worst
    }

    /// `--format safetensors-plain`: the checkpoint's parameters and buffers, bitwise, with no
    /// metadata and no optimizer state, as Python's safetensors reads it.
    @Test func plainStateDictIsTheCheckpointWithoutOptimizerAndMetadata() throws {
        let directory = TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (checkpoint, _, _) = try Self.trainedCheckpoint("fashion-cnn", imageSize: nil, in: directory)
        let plain = directory + "/plain.safetensors"
        let export = try Self.cohort(["export", "--checkpoint", checkpoint, "--format", "safetensors-plain", "--out", plain])
        #expect(export.status == 0 && export.output.contains("wrote \(plain): fashion-cnn, "), "\(export)")
        let compare = """
        import sys
        from safetensors import safe_open
        from safetensors.numpy import load_file
        checkpoint, plain = load_file(sys.argv[1]), load_file(sys.argv[2])
        weights = sorted(n for n in checkpoint if not n.startswith("optimizer."))
        with safe_open(sys.argv[2], "np") as f:
            metadata = f.metadata()
        print(len(weights), sorted(plain) == weights, all((plain[n] == checkpoint[n]).all() for n in weights), metadata)
        """
        let check = try CommandRunner.run(["python3", "-c", compare, checkpoint, plain], timeout: 60)
        #expect(check.status == 0 && check.output.hasSuffix("True True None\n") && !check.output.hasPrefix("0 "), "\(check)")
    }

    @Test func badFlagsNameTheFlag() throws {
        let directory = TemporaryDirectory.make()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (checkpoint, _, _) = try Self.trainedCheckpoint("fashion-cnn", imageSize: nil, in: directory)
        let missingFolder = try Self.cohort(["export", "--checkpoint", checkpoint, "--out", directory + "/no/such/model.onnx"])
        #expect(missingFolder.status != 0 && missingFolder.output.contains("--out") && missingFolder.output.contains(directory + "/no/such"),
                "\(missingFolder)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/no"))
        let unknownFormat = try Self.cohort(["export", "--checkpoint", checkpoint, "--format", "tflite", "--out", directory + "/m.tflite"])
        #expect(unknownFormat.status != 0 && unknownFormat.output.contains("--format") && unknownFormat.output.contains("tflite"), "\(unknownFormat)")
        let missingCheckpoint = try Self.cohort(["export", "--checkpoint", directory + "/none.safetensors", "--out", directory + "/m.onnx"])
        #expect(missingCheckpoint.status != 0 && missingCheckpoint.output.contains(directory + "/none.safetensors"), "\(missingCheckpoint)")
        let emptyFolder = directory + "/empty"
        try FileManager.default.createDirectory(atPath: emptyFolder, withIntermediateDirectories: true)
        let predict = try Self.cohort(["predict", "--checkpoint", checkpoint, emptyFolder])
        #expect(predict.status != 0 && predict.output.contains(emptyFolder) && predict.output.contains("no .jpg/.jpeg/.png"), "\(predict)")
    }

    /// A layer the exporter has no mapping for.
    final class Unmapped: Layer {
        let name = "mystery"
        func build(input: Shape) throws -> Shape { input }
        func forward(_ x: Tensor, context: Context) throws -> Tensor { x }
        func backward(_ dy: Tensor, context: Context) throws -> Tensor { dy }
    }

    @Test func unmappedLayerIsNamedByItsPath() throws {
        let network = try Network(root: Sequential([Sequential(name: "head", [Flatten(name: "flatten"), Unmapped()])]), inputShape: [1, 4, 4])
        let error = try #require(throws: ExportError.self) { try ONNXExporter.export(network) }
        #expect(error.description.contains("'head.mystery'") && error.description.contains("Unmapped"), "\(error)")
    }
}
