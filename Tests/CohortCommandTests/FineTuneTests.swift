import CohortTestSupport
import Foundation
import Testing

/// `cohort train --init-from` a plain torchvision-named state dict, with `--freeze` and
/// `--lr-head-multiplier`, under `mpirun -np 2`, on a 4-class folder of real Fashion-MNIST images.
@Suite(.serialized) struct FineTuneTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A folder with four of Fashion-MNIST's classes, 0–3 unless `first` says otherwise (PNG; the ResNets read it as RGB).
    static func fourClassFolder(first: Int = 0) throws -> String {
        let folder = TemporaryDirectory.make()
        let convert = try CommandRunner.run([CommandRunner.cohort, "convert", "--out", folder, "--limit", "400"], timeout: 60)
        #expect(convert.status == 0, "\(convert)")
        for split in try FileManager.default.contentsOfDirectory(atPath: folder) {
            let classes = try FileManager.default.contentsOfDirectory(atPath: folder + "/" + split).sorted()
            for name in classes[..<first] + classes[(first + 4)...] { try FileManager.default.removeItem(atPath: folder + "/" + split + "/" + name) }
        }
        return folder
    }

    @Test func aFrozenBackboneFromAPlainStateDictStaysExactAndOnlyTheHeadIsNew() throws {
        let folder = try Self.fourClassFolder(), directory = TemporaryDirectory.make()
        let source = directory + "/torchvision-resnet18.safetensors"
        let make = try CommandRunner.run(["python3", Self.repository.appendingPathComponent("scripts/make-torchvision-resnet18.py").path,
                                          source], timeout: 60)
        #expect(make.status == 0, "\(make)")
        let frozen = "conv1,bn1,layer1,layer2,layer3"
        let train = try CommandRunner.run(CommandRunner.mpirun(2, [
            "train", "--model", "resnet18", "--data", folder, "--image-size", "32", "--init-from", source, "--freeze", frozen, "--lr-head-multiplier", "10",
            "--batch-size", "16", "--lr", "0.01", "--momentum", "0.9", "--max-steps", "3", "--threads", "1", "--checkpoint-dir", directory + "/run"]),
            timeout: 180)
        #expect(train.status == 0, "\(train)")
        #expect(train.output.contains("initialized from \(source): 100 tensors; re-initialized the classifier (fc.weight [4, 512], file has [1000, 512]; fc.bias [4], file has [1000])"),
                "\(train)")
        #expect(train.output.contains("frozen"), "\(train)")

        // Every frozen tensor (BatchNorm statistics included) is bitwise the source's; layer4 and the new head trained.
        let compare = """
        import sys
        from safetensors.numpy import load_file
        source, run = load_file(sys.argv[1]), load_file(sys.argv[2])
        frozen = tuple(p + "." for p in sys.argv[3].split(","))
        same = [n for n in run if n.startswith(frozen) and (run[n] == source[n]).all()]
        moved = [n for n in run if n.startswith("layer4.") and n.endswith("conv1.weight") and not (run[n] == source[n]).all()]
        print(len([n for n in run if n.startswith(frozen)]), len(same), len(moved), list(run["fc.weight"].shape))
        """
        let check = try CommandRunner.run(["python3", "-c", compare, source, directory + "/run/last.safetensors", frozen], timeout: 60)
        #expect(check.status == 0, "\(check)")
        let fields = check.output.split(separator: " ", maxSplits: 3).map(String.init)
        #expect(fields.count == 4 && fields[0] == fields[1] && Int(fields[0]) == 75, "every frozen tensor unchanged: \(check.output)")
        #expect(fields.count == 4 && fields[2] == "2" && fields[3].hasPrefix("[4, 512]"), "layer4 trained, 4-class head: \(check.output)")

        // The fine-tuned checkpoint's 4 classes are not those of classes 4–7: its head, of the same shape, starts afresh.
        let next = try CommandRunner.run(CommandRunner.mpirun(2, [
            "train", "--model", "resnet18", "--data", try Self.fourClassFolder(first: 4), "--image-size", "32",
            "--init-from", directory + "/run/last.safetensors", "--batch-size", "16", "--max-steps", "1", "--threads", "1"]), timeout: 120)
        #expect(next.status == 0, "\(next)")
        #expect(next.output.contains("initialized from \(directory)/run/last.safetensors: 100 tensors; re-initialized the classifier, whose classes in the file (Ankle_boot, Bag, Coat, Dress) are not this dataset's"),
                "\(next)")
    }

    @Test func aStateDictOfAnotherModelIsRefusedWithTheFirstDifferences() throws {
        let folder = try Self.fourClassFolder(), directory = TemporaryDirectory.make()
        let source = directory + "/torchvision-resnet18.safetensors"
        _ = try CommandRunner.run(["python3", Self.repository.appendingPathComponent("scripts/make-torchvision-resnet18.py").path, source], timeout: 60)
        let train = try CommandRunner.run(CommandRunner.mpirun(2, [
            "train", "--model", "resnet34", "--data", folder, "--image-size", "32", "--init-from", source, "--max-steps", "1", "--threads", "1"]),
            timeout: 120)
        #expect(train.status != 0)
        #expect(train.output.contains(source) && train.output.contains("model tensors are not in the file: layer1.2.conv1.weight"), "\(train)")
    }
}
