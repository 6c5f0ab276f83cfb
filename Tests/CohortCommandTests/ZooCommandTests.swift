import CohortModels
import CohortTestSupport
import Foundation
import Testing

/// `cohort models` and `cohort summary`, run as the built executable.
@Suite struct ZooCommandTests {
    static func cohort(_ arguments: [String]) throws -> CommandRunner.Outcome {
        try CommandRunner.run([CommandRunner.cohort] + arguments, timeout: 60)
    }

    @Test func modelsListsEveryModelWithItsCounts() throws {
        let outcome = try Self.cohort(["models"])
        #expect(outcome.status == 0, "\(outcome)")
        for name in ModelZoo.names { #expect(outcome.output.contains(name), "missing \(name)") }
        let vgg = try #require(outcome.output.split(separator: "\n").first { $0.hasPrefix("vgg16 ") })
        #expect(vgg.contains("3×224×224") && vgg.contains("138,357,544") && vgg.contains("30.94"), "\(vgg)")
    }

    @Test func modelsJSONMatchesTheSummaries() throws {
        let outcome = try Self.cohort(["models", "--json"])
        #expect(outcome.status == 0, "\(outcome)")
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [[String: Any]])
        #expect(objects.compactMap { $0["name"] as? String } == ModelZoo.names)
        for object in objects {
            let summary = try ModelSummary(model: try #require(object["name"] as? String))
            #expect(object["total_params"] as? Int == summary.total)
            #expect(object["trainable_params"] as? Int == summary.trainable)
            #expect(object["forward_flops"] as? Int == summary.forwardFLOPs)
            #expect(object["input"] as? [Int] == summary.input.dims)
        }
    }

    @Test func summaryPrintsKerasTotals() throws {
        let outcome = try Self.cohort(["summary", "--model", "xception"])
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.output.contains("Total params: 22,910,480"))
        #expect(outcome.output.contains("Trainable params: 22,855,952"))
        #expect(outcome.output.contains("Non-trainable params: 54,528"))
        #expect(outcome.output.contains("block1_conv1 (Conv2D)") && outcome.output.contains("[32, 149, 149]"))
        #expect(outcome.output.contains("block13 (Residual)"))
    }

    @Test func summaryTakesClassesAndInput() throws {
        let outcome = try Self.cohort(["summary", "--model", "resnet18", "--classes", "10", "--input", "1x28x28", "--json"])
        #expect(outcome.status == 0, "\(outcome)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
        let summary = try ModelSummary(model: "resnet18", classes: 10, input: [1, 28, 28])
        #expect(object["output_shape"] as? [Int] == [10])
        #expect(object["total_params"] as? Int == summary.total)
        #expect((object["layers"] as? [Any])?.count == summary.rows.count)
    }

    @Test func unknownModelListsTheValidNames() throws {
        let outcome = try Self.cohort(["summary", "--model", "resnet51"])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("unknown model 'resnet51'") && outcome.output.contains("se-resnet50"), "\(outcome)")
    }

    @Test func tooSmallInputNamesTheLayer() throws {
        let outcome = try Self.cohort(["summary", "--model", "vgg16", "--input", "3,8,8"])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("'block4_pool'") && outcome.output.contains("too small"), "\(outcome)")
        #expect(!outcome.output.contains("Fatal error"))
    }
}
