import CohortTestSupport
import Foundation
import Testing

/// `--tensorboard` event files read back by the `tensorboard` Python package's own event loader.
@Suite struct TensorBoardTests {
    @Test func eventFilesMatchTheMetricsLog() throws {
        let directory = TemporaryDirectory.make()
        let train = try CommandRunner.run([CommandRunner.cohort, "train", "--limit", "128", "--epochs", "2", "--batch-size", "32", "--holdout", "64",
                                           "--eval-limit", "64", "--threads", "1", "--checkpoint-dir", directory,
                                           "--tensorboard", directory + "/tb", "--tensorboard-every", "2"], timeout: 120)
        #expect(train.status == 0, "\(train)")
        let reader = """
        import glob, json, sys
        from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
        from tensorboard.util import tensor_util
        scalars = {}
        for path in glob.glob(sys.argv[1] + "/events.out.tfevents.*"):
            for event in EventFileLoader(path).Load():   # migrates simple_value into a scalar tensor
                for value in event.summary.value:
                    number = tensor_util.make_ndarray(value.tensor).item() if value.HasField("tensor") else value.simple_value
                    scalars.setdefault(value.tag, []).append([event.step, number])
        print(json.dumps(scalars))
        """
        let read = try CommandRunner.run(["python3", "-c", reader, directory + "/tb"], timeout: 60)
        #expect(read.status == 0, "\(read)")
        let line = try #require(read.output.split(separator: "\n").last)
        let scalars = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: [[Double]]])
        let log = try String(contentsOfFile: directory + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
            .map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Double]) }
        #expect(log.count == 2)
        for name in ["loss", "accuracy", "val_loss", "val_accuracy", "lr"] {
            let series = try #require(scalars["epoch/" + name], "no epoch/\(name) in \(scalars.keys.sorted())")
            #expect(series.map { $0[0] } == log.map { $0["step"]! }, "steps of \(name)")
            for (point, record) in zip(series, log) {
                #expect(abs(point[1] - record[name]!) <= 1e-6 * max(1, abs(record[name]!)), "\(name): \(point[1]) vs \(record[name]!)")
            }
        }
        let steps = Int(log.last?["step"] ?? 0)
        #expect(scalars["batch/loss"]?.map { Int($0[0]) } == Array(stride(from: 2, through: steps, by: 2)),
                "batch/loss every 2 of \(steps) steps: \(scalars["batch/loss"] ?? [])")
    }
}
