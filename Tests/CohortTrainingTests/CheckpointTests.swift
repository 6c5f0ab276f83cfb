import CohortCore
import CohortTestSupport
import CohortTraining
import Foundation
import Testing

@Suite struct CheckpointTests {
    func trainedCheckpoint() throws -> (directory: String, network: Network) {
        let directory = TemporaryDirectory.make()
        var c = TrainingFixtures.configuration(directory: directory, epochs: 1)
        c.maxSteps = 3
        let (network, _) = try TrainingFixtures.train(c)
        return (directory, network)
    }

    @Test func roundTripRestoresEveryTensorAndTheState() throws {
        let (directory, network) = try trainedCheckpoint()
        let path = directory + "/last.safetensors"
        let fresh = try TrainingFixtures.tinyNetwork()
        let optimizer = SGD(arena: fresh.arena, momentum: 0.9)
        let state = try CheckpointStore.load(path: path, arena: fresh.arena, optimizer: optimizer)
        #expect(Array(fresh.arena.values) == Array(network.arena.values))
        #expect(Array(fresh.arena.bufferValues) == Array(network.arena.bufferValues))
        #expect(optimizer.slots[0].values.contains { $0 != 0 })
        #expect(state.globalStep == 3 && state.stepInEpoch == 3 && state.epoch == 0)
        #expect(state.classNames.count == 10 && state.model == "tiny")
    }

    @Test func truncatedFileIsRejectedWithItsName() throws {
        let (directory, _) = try trainedCheckpoint()
        let path = directory + "/last.safetensors"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for cut in [4, 100, bytes.count / 2, bytes.count - 1] {
            let truncated = directory + "/cut.safetensors"
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: truncated))
            #expect { _ = try CheckpointStore.inspect(path: truncated) } throws: { error in
                "\(error)".contains(truncated) && "\(error)".contains("unreadable")
            }
        }
    }

    @Test func bitFlipIsCaughtByTheChecksum() throws {
        let (directory, _) = try trainedCheckpoint()
        let path = directory + "/last.safetensors"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 10] ^= 0x04
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect { _ = try CheckpointStore.inspect(path: path) } throws: { "\($0)".contains("checksum") }
    }

    @Test func foreignFilesAreRejected() throws {
        let directory = TemporaryDirectory.make()
        let garbage = directory + "/garbage.safetensors"
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: URL(fileURLWithPath: garbage))
        #expect(throws: CheckpointError.self) { _ = try CheckpointStore.inspect(path: garbage) }
        // A valid safetensors file without Cohort metadata.
        let header = Array(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#.utf8)
        var foreign = Data(withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) })
        foreign.append(contentsOf: header)
        foreign.append(contentsOf: [0, 0, 128, 63])
        let other = directory + "/other.safetensors"
        try foreign.write(to: URL(fileURLWithPath: other))
        #expect { _ = try CheckpointStore.inspect(path: other) } throws: { "\($0)".contains("not a Cohort checkpoint") }
    }

    @Test func wrongModelIsAMismatchNamingTheTensor() throws {
        let (directory, _) = try trainedCheckpoint()
        let other = try Network(root: Sequential([Flatten(name: "flatten"), Dense(units: 10, name: "fc")]), inputShape: [1, 28, 28])
        #expect { _ = try CheckpointStore.load(path: directory + "/last.safetensors", arena: other.arena, optimizer: nil) } throws: {
            "\($0)".contains("fc.weight") && "\($0)".contains("does not fit")
        }
    }

    @Test func readableByPythonSafetensors() throws {
        let (directory, network) = try trainedCheckpoint()
        let script = """
        import json, sys
        from safetensors.numpy import load_file
        from safetensors import safe_open
        t = load_file(sys.argv[1])
        with safe_open(sys.argv[1], framework="numpy") as f:
            meta = f.metadata()
        print(json.dumps({"names": sorted(t), "conv": list(t["conv1.weight"].shape), "first": float(t["conv1.weight"].flat[0]),
                          "model": json.loads(meta["model"]), "step": json.loads(meta["globalStep"])}))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, directory + "/last.safetensors"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python failed (scripts/test.sh installs safetensors and numpy): \(output)")
        let result = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        #expect(result?["conv"] as? [Int] == [4, 1, 3, 3])
        #expect(result?["model"] as? String == "tiny")
        #expect(result?["step"] as? Int == 3)
        #expect((result?["first"] as? Double).map { Float($0) } == network.arena.values[0])
        let names = result?["names"] as? [String] ?? []
        #expect(names.contains("bn1.running_mean") && names.contains("optimizer.momentum.fc.weight"))
    }
}
