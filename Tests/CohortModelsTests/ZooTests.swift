import CohortCore
import CohortModels
import Testing

/// The zoo's registry and parameter totals: names resolve, unknown names are a clear error, every
/// model matches its published figure, and the summary's counts equal what the arena lays out.
@Suite struct ZooTests {
    @Test func unknownModelNamesTheValidOnes() {
        #expect(throws: ZooError.unknownModel("resnet51", valid: ModelZoo.names)) {
            _ = try ModelZoo.entry(named: "resnet51")
        }
        let message = ZooError.unknownModel("resnet51", valid: ModelZoo.names).description
        #expect(message.contains("resnet51") && message.contains("fashion-cnn") && message.contains("se-resnet50"))
    }

    @Test func everyZooModelHasAReference() {
        #expect(ZooFixtures.references.map(\.model) == ModelZoo.names)
    }

    /// Counts from the summary at the default input and class count, in the reference's convention.
    @Test(arguments: ZooFixtures.references)
    func parameterTotalMatchesTheReference(model: String, reference: ZooFixtures.Reference) throws {
        let summary = try ModelSummary(model: model)
        switch reference {
        case let .total(expected): #expect(summary.total == expected, "\(model): trainable \(summary.trainable) + buffers \(summary.buffers)")
        case let .trainable(expected): #expect(summary.trainable == expected, "\(model): buffers \(summary.buffers)")
        }
        let classes = try ModelZoo.entry(named: model).defaultClasses
        #expect(summary.outputShape == [classes])
    }

    /// SE-ResNet-50 = ResNet-50 + one SE layer per bottleneck (C·C/16 + C/16 + C/16·C + C for C output channels),
    /// about the paper's 28.09 M.
    @Test func seResNet50AddsOneExcitationPerBottleneck() throws {
        let plain = try ModelSummary(model: "resnet50"), se = try ModelSummary(model: "se-resnet50")
        let excitations = zip([3, 4, 6, 3], [256, 512, 1024, 2048]).reduce(0) { sum, stage in
            let (blocks, c) = stage
            return sum + blocks * (2 * c * (c / 16) + c / 16 + c)
        }
        #expect(se.trainable == plain.trainable + excitations)
        #expect(abs(Double(se.trainable) / 1e6 - 28.09) < 0.005)
        #expect(se.buffers == plain.buffers)
    }

    /// The summary (used by `cohort models`/`summary`) equals what `Network` really lays out.
    /// Builds every model at its default input (no forward pass), one at a time to bound memory.
    @Test(.serialized, arguments: ModelZoo.names)
    func summaryCountsEqualTheBuiltNetwork(model: String) throws {
        let summary = try ModelSummary(model: model)
        let network = try ModelZoo.network(named: model)
        #expect(network.arena.trainableCount == summary.trainable)
        #expect(network.arena.bufferCount == summary.buffers)
        #expect(network.forwardFLOPs == summary.forwardFLOPs)
        #expect(network.outputShape == summary.outputShape)
        #expect(summary.rows.reduce(0) { $0 + $1.trainable + $1.buffers } == summary.total)
        #expect(summary.rows.reduce(0) { $0 + $1.forwardFLOPs } == summary.forwardFLOPs)
        #expect(summary.rows.last?.outputShape == network.outputShape)
    }

    /// Building a layer tree describes its parameters without storage; the arena is their only owner
    /// and binds each one to a view of its own flat buffers.
    @Test func theArenaIsTheOnlyOwnerOfParameterStorage() throws {
        let entry = try ModelZoo.entry(named: "resnet18")
        let root = entry.make(10, [3, 32, 32])
        _ = try root.build(input: [3, 32, 32])
        let described = root.namedParameters().map(\.parameter)
        #expect(!described.isEmpty && described.allSatisfy { $0.value.storage.count == 0 && $0.gradient.storage.count == 0 })

        let network = try ModelZoo.network(named: "resnet18", classes: 10, input: [3, 32, 32])
        for (name, p) in network.arena.trainable {
            #expect(p.value.storage.baseAddress == network.arena.values.baseAddress! + p.offset, "\(name)")
            #expect(p.gradient.storage.baseAddress == network.arena.gradients.baseAddress! + p.offset, "\(name)")
        }
        for (name, p) in network.arena.buffers {
            #expect(p.value.storage.baseAddress == network.arena.bufferValues.baseAddress! + p.offset, "\(name)")
        }
    }

    /// Torchvision's dotted names, so a ResNet checkpoint lines up with a torchvision state dict.
    @Test func resNetParameterNamesFollowTorchvision() throws {
        let network = try ModelZoo.network(named: "resnet18", classes: 10, input: [3, 32, 32])
        let names = Set(network.arena.trainable.map(\.name) + network.arena.buffers.map(\.name))
        for expected in ["conv1.weight", "bn1.running_var", "layer1.0.conv2.weight", "layer2.0.downsample.0.weight",
                         "layer2.0.downsample.1.bias", "layer4.1.bn2.weight", "fc.weight", "fc.bias"] {
            #expect(names.contains(expected), "missing \(expected)")
        }
        #expect(!names.contains { $0.contains("conv1.bias") }, "ResNet convolutions have no bias")
    }

    @Test func summaryRowsNameTheBlocks() throws {
        let summary = try ModelSummary(model: "googlenet")
        let inception = try #require(summary.rows.first { $0.name == "inception3a" })
        #expect(inception.type == "Concat" && inception.outputShape == [256, 28, 28])
        #expect(summary.rows.first?.name == "conv1" && summary.rows.first?.outputShape == [64, 112, 112])
        let resnet = try ModelSummary(model: "resnet50")
        let block = try #require(resnet.rows.first { $0.name == "layer3.0" })
        #expect(block.type == "Residual" && block.outputShape == [1024, 14, 14])
    }

    /// An input too small for the architecture names the layer (dotted path) whose output would vanish.
    static let tooSmall: [(model: String, input: Shape, layer: String)] = [
        ("vgg16", [3, 8, 8], "block4_pool"), ("alexnet", [3, 66, 66], "pool5"), ("alexnet-lrn", [1, 28, 28], "pool2"),
        ("xception", [3, 5, 5], "block1_conv2"),
    ]

    @Test(arguments: tooSmall)
    func tooSmallInputNamesTheLayer(model: String, input: Shape, layer: String) throws {
        let attempts: [() throws -> Void] = [{ _ = try ModelSummary(model: model, input: input) }, { _ = try ModelZoo.network(named: model, input: input) }]
        for attempt in attempts {
            do {
                try attempt()
                Issue.record("\(model) built at \(input)")
            } catch let error as CoreError {
                guard case let .spatialTooSmall(named, _) = error else { Issue.record("\(error)"); continue }
                #expect(named == layer)
                #expect(error.description.contains("'\(layer)'"))
            }
        }
    }
}
