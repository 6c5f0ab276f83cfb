import CohortCore
import CohortData
import CohortDistributed
import CohortTraining
import Foundation

/// Small real-data runs for the training tests: Fashion-MNIST from the Debian package, a tiny CNN.
enum TrainingFixtures {
    static func tinyNetwork() throws -> Network {
        let root = Sequential([
            Conv2D(filters: 4, kernel: 3, stride: 2, name: "conv1"), BatchNorm(name: "bn1"), Activation(.relu, name: "relu1"),
            MaxPool2D(kernel: 2, name: "pool"), Flatten(name: "flatten"), Dropout(rate: 0.2, name: "drop"), Dense(units: 10, name: "fc"),
        ])
        return try Network(root: root, inputShape: [1, 28, 28])
    }

    static func data(train: Int = 512, holdout: Int = 128) throws -> DatasetSplits {
        try DatasetOpener.open(directory: nil, imageShape: nil, holdout: holdout, limit: train, skipBad: false)
    }

    static func configuration(directory: String?, epochs: Int = 2) -> TrainingConfiguration {
        var c = TrainingConfiguration(model: "tiny")
        c.epochs = epochs
        c.globalBatch = 32
        c.learningRate = 0.05
        c.momentum = 0.9
        c.seed = 42
        c.checkpointDirectory = directory
        return c
    }

    /// Trains the tiny network and returns it with the result.
    static func train(_ configuration: TrainingConfiguration, resume: String? = nil, callbacks: [any TrainingCallback] = []) throws -> (Network, Trainer.Result) {
        let network = try tinyNetwork()
        let trainer = try Trainer(configuration: configuration, network: network, data: try data(), communicator: SingleProcessCommunicator(),
                                  callbacks: callbacks, note: { _ in })
        return (network, try trainer.run(resume: resume))
    }
}
