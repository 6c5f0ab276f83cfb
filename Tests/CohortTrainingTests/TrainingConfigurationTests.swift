import CohortTraining
import Testing

/// `TrainingConfiguration.validate` is the one place the global batch is checked against the job.
@Suite struct TrainingConfigurationTests {
    @Test(arguments: [
        (2, 3, 100, "smaller than the 3 ranks"),
        (64, 2, 50, "larger than the 50 training samples"),
        (0, 1, 50, "--batch-size must be at least 1"),
    ])
    func aGlobalBatchThatDoesNotFitTheJobNamesTheFlag(batch: Int, worldSize: Int, samples: Int, message: String) {
        var configuration = TrainingConfiguration(model: "fashion-cnn")
        configuration.globalBatch = batch
        #expect {
            try configuration.validate(worldSize: worldSize, sampleCount: samples)
        } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("--batch-size")
        }
    }

    @Test func anyGlobalBatchWithASamplePerRankIsAccepted() throws {
        var configuration = TrainingConfiguration(model: "fashion-cnn")
        configuration.globalBatch = 64
        try configuration.validate(worldSize: 4, sampleCount: 64)
        try configuration.validate(worldSize: 3)
        try configuration.validate(worldSize: 64)
    }
}
