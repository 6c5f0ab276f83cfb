import CohortTestSupport
import Foundation
import Testing

/// train → evaluate → predict → convert through the real executable, and flag errors that name the flag.
@Suite(.serialized) struct CommandLineTests {
    @Test func evaluateAndPredictUseATrainedCheckpoint() throws {
        let directory = TemporaryDirectory.make()
        let train = try CommandRunner.run([CommandRunner.cohort, "train", "--limit", "1024", "--epochs", "1", "--batch-size", "32", "--optimizer", "adam",
                                           "--lr", "0.001", "--eval-limit", "200", "--threads", "1", "--checkpoint-dir", directory], timeout: 180)
        #expect(train.status == 0, "\(train)")
        let checkpoint = directory + "/last.safetensors"

        let evaluate = try CommandRunner.run([CommandRunner.cohort, "evaluate", "--checkpoint", checkpoint, "--eval-limit", "300", "--json"], timeout: 120)
        #expect(evaluate.status == 0, "\(evaluate)")
        let line = try #require(evaluate.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["samples"] as? Int == 300)
        let accuracy = try #require(object["accuracy"] as? Double), top5 = try #require(object["top5_accuracy"] as? Double)
        #expect(accuracy > 0.2 && accuracy <= top5, "a briefly trained model beats chance (0.1): \(object)")
        #expect((object["per_class_accuracy"] as? [String: Any])?.count == 10, "\(object)")

        // A test image written as PNG by `cohort convert`, then classified with class names from the checkpoint.
        let folder = TemporaryDirectory.make()
        let convert = try CommandRunner.run([CommandRunner.cohort, "convert", "--out", folder, "--format", "png", "--limit", "3"], timeout: 120)
        #expect(convert.status == 0, "\(convert)")
        let trouser = try #require(try FileManager.default.contentsOfDirectory(atPath: folder + "/test/Trouser").first)
        let predict = try CommandRunner.run([CommandRunner.cohort, "predict", "--checkpoint", checkpoint, "--top", "2", folder + "/test/Trouser/" + trouser], timeout: 60)
        #expect(predict.status == 0, "\(predict)")
        #expect(predict.output.contains(trouser), "\(predict)")
        let names = ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot"]
        #expect(names.filter { predict.output.contains($0) }.count >= 2, "top 2 class names printed: \(predict)")
    }

    @Test(arguments: [
        (["train", "--batch-size", "0"], "--batch-size"),
        (["train", "--optimizer", "rmsprop"], "--optimizer"),
        (["train", "--model", "resnet51"], "resnet51"),
        (["train", "--resume", "auto"], "--checkpoint-dir"),
        (["evaluate", "--checkpoint", "/nonexistent/x.safetensors"], "/nonexistent/x.safetensors"),
        (["bench", "--windows", "0"], "--windows"),
    ])
    func badInputNamesTheFlagOrFile(arguments: [String], named: String) throws {
        let run = try CommandRunner.run([CommandRunner.cohort] + arguments, timeout: 60)
        #expect(run.status != 0)
        #expect(run.output.contains(named), "\(run)")
    }
}
