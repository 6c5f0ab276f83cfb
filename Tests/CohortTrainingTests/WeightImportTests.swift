import CohortCore
import CohortModels
import CohortRandom
import CohortTestSupport
@testable import CohortTraining
import Foundation
import Testing

/// `--init-from` with a plain safetensors state dict that has torchvision's resnet18 names, written
/// by numpy (scripts/make-torchvision-resnet18.py), not by Cohort.
@Suite struct WeightImportTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/make-torchvision-resnet18.py").path

    /// Writes a torchvision-named resnet18 state dict and returns its path.
    static func stateDict(channels: Int = 3, classes: Int = 1000, extra: [String] = []) throws -> String {
        let path = TemporaryDirectory.make() + "/resnet18.safetensors"
        let run = try CommandRunner.run(["python3", script, path, "--channels", "\(channels)", "--classes", "\(classes)"] + extra, timeout: 60)
        #expect(run.status == 0, "scripts/test.sh installs numpy and safetensors: \(run)")
        return path
    }

    static func resnet18(classes: Int, channels: Int = 3) throws -> Network {
        let network = try ModelZoo.network(named: "resnet18", classes: classes, input: [channels, 32, 32])
        network.arena.initialize(seed: 1)
        return network
    }

    /// The values of tensor `name` in a safetensors file.
    static func tensor(_ name: String, in path: String) throws -> [Float] {
        let source = try FileSource(path: path)
        let located = try #require(try SafeTensors.readHeader(path: path, source: source).tensors[name])
        var values = [Float](repeating: .nan, count: located.byteRange.count / 4)
        try values.withUnsafeMutableBytes { try source.read(into: $0, at: located.byteRange.lowerBound) }
        return values
    }

    @Test func aPlainStateDictLoadsEverythingButAClassifierOfAnotherSize() throws {
        let path = try Self.stateDict()
        let thousand = try Self.resnet18(classes: 1000), four = try Self.resnet18(classes: 4)
        let fresh = try Self.resnet18(classes: 4)
        let all = try WeightImport.load(path: path, into: thousand, strict: true)
        #expect(all.reinitialized.isEmpty && all.missing.isEmpty && all.unexpected.isEmpty)
        #expect(all.loaded == thousand.arena.trainable.count + thousand.arena.buffers.count)
        let report = try WeightImport.load(path: path, into: four, strict: true)
        #expect(report.reinitialized.map(\.name) == ["fc.weight", "fc.bias"])
        #expect(report.summary(path: path).contains("re-initialized the classifier (fc.weight [4, 512], file has [1000, 512]"), "\(report.summary(path: path))")

        for (name, p) in four.arena.trainable + four.arena.buffers {
            let expected = name.hasPrefix("fc.") ? fresh.arena.trainable.first { $0.name == name }!.parameter.value.array : try Self.tensor(name, in: path)
            #expect(p.value.array == expected, "\(name)")
        }

        // The backbone's features are the source's: with the classifier's first 4 rows copied, the
        // 4-class model's logits are the first 4 of the 1000-class model's.
        let fc1000 = Dictionary(uniqueKeysWithValues: thousand.arena.trainable)
        for (name, p) in four.arena.trainable where name.hasPrefix("fc.") {
            _ = p.value.values.update(fromContentsOf: fc1000[name]!.value.values[0..<p.count])
        }
        var generator = SplitMix64(seed: 4)
        let x = Tensor(zeros: [2, 3, 32, 32])
        for i in 0..<x.count { x[i] = generator.nextFloat() * 2 - 1 }
        let big = try thousand.forward(x, context: Context(mode: .inference)).array
        let small = try four.forward(x, context: Context(mode: .inference)).array
        for n in 0..<2 {
            for k in 0..<4 {
                let (a, b) = (small[n * 4 + k], big[n * 1000 + k])
                #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "sample \(n) class \(k): \(a) vs \(b)")
            }
        }
    }

    @Test func otherShapesMissingNamesAndNonFiniteValuesAreNamed() throws {
        let path = try Self.stateDict()
        let grey = try Self.resnet18(classes: 10, channels: 1)
        #expect { try WeightImport.load(path: path, into: grey, strict: true) } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("conv1.weight: file [64, 3, 7, 7], model [64, 1, 7, 7]")
        }
        let deeper = try ModelZoo.network(named: "resnet34", classes: 10, input: [3, 32, 32])
        #expect { try WeightImport.load(path: path, into: deeper, strict: true) } throws: { error in
            "\(error)".contains("model tensors are not in the file: layer1.2.conv1.weight") && "\(error)".contains("--init-strict false")
        }
        let lenient = try WeightImport.load(path: path, into: deeper, strict: false)
        #expect(lenient.missing.first == "layer1.2.conv1.weight" && lenient.reinitialized.count == 2)
        #expect(lenient.loaded + lenient.missing.count + 2 == deeper.arena.trainable.count + deeper.arena.buffers.count)

        let broken = try Self.stateDict(extra: ["--nan", "layer2.0.conv1.weight"])
        #expect { try WeightImport.load(path: broken, into: try Self.resnet18(classes: 10), strict: true) } throws: { error in
            "\(error)".contains("tensor 'layer2.0.conv1.weight' holds nan at element 1")
        }
    }
}
