import CohortCore

/// ResNet — He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition", CVPR 2016,
/// in torchvision's form (the "v1.5" bottleneck).
///
/// Stem: conv 64@7×7/2 (pad 3) → BatchNorm → ReLU → max pool 3×3/2 (pad 1); four stages of
/// residual blocks at 64, 128, 256, 512 base channels, the first block of stages 2–4 striding by
/// 2; global average pool → dense. Convolutions have no bias (BatchNorm follows each one); a
/// shortcut is the identity, or a 1×1 strided convolution + BatchNorm where the shape changes.
/// - basic block (18, 34): 3×3 → BN → ReLU → 3×3 → BN, + shortcut, ReLU; expansion 1.
/// - bottleneck (50, 101, 152): 1×1 → BN → ReLU → 3×3 (stride here) → BN → ReLU → 1×1 (×4) → BN,
///   + shortcut, ReLU; expansion 4.
/// Trainable parameters for 1000 classes at 3×224×224: 11,689,512 / 21,797,672 / 25,557,032 /
/// 44,549,160 / 60,192,808 (torchvision); BatchNorm running statistics add the buffers.
///
/// Departures from the paper: the bottleneck strides in its 3×3 convolution, not the first 1×1
/// (torchvision v1.5); projection shortcuts only where the shape changes (the paper's option B).
/// Keras's `ResNet50` differs (conv biases, stride in the 1×1; 25,636,712 with BN statistics).
///
/// Other input sizes: explicit padding and global pooling let any input from 1×1 build
/// (1×28×28 reaches 1×1 in stage 4).
package enum ResNet {
    /// Depth of the network: blocks per stage and block type.
    package enum Depth: Int, CaseIterable, Sendable {
        case resnet18 = 18, resnet34 = 34, resnet50 = 50, resnet101 = 101, resnet152 = 152

        /// Residual blocks in each of the four stages.
        package var blocksPerStage: [Int] {
            switch self {
            case .resnet18: return [2, 2, 2, 2]
            case .resnet34: return [3, 4, 6, 3]
            case .resnet50: return [3, 4, 6, 3]
            case .resnet101: return [3, 4, 23, 3]
            case .resnet152: return [3, 8, 36, 3]
            }
        }

        /// Bottleneck blocks (50 and deeper) or basic blocks.
        package var usesBottleneck: Bool { rawValue >= 50 }
    }

    /// The zoo entries `resnet18` … `resnet152`.
    package static let entries: [ModelZoo.Entry] = Depth.allCases.map { depth in
        ModelZoo.Entry(
            name: "resnet\(depth.rawValue)",
            summary: "ResNet-\(depth.rawValue) (\(depth.usesBottleneck ? "bottleneck" : "basic") blocks, torchvision layout)",
            defaultInput: [3, 224, 224], defaultClasses: 1000,
            make: { classes, _ in make(depth, classes: classes) })
    }

    /// `resnet18-cifar`: ResNet-18 with the small-image stem (CIFAR 32×32, Fashion-MNIST 28×28).
    package static let cifarEntry = ModelZoo.Entry(
        name: "resnet18-cifar", summary: "ResNet-18 with a 3×3/1 stem and no max pool, for 28–32 px images",
        defaultInput: [3, 32, 32], defaultClasses: 10,
        make: { classes, _ in make(.resnet18, classes: classes, stem: .smallImages) })

    /// `resnet18-fashion`: ResNet-18 for 28×28 grayscale (Fashion-MNIST), stage 1 at 14×14.
    package static let fashionEntry = ModelZoo.Entry(
        name: "resnet18-fashion", summary: "ResNet-18 with a 3×3/1 stem and a 2×2 max pool, for 28 px grayscale images",
        defaultInput: [1, 28, 28], defaultClasses: 10,
        make: { classes, _ in make(.resnet18, classes: classes, stem: .smallImagesPooled) })

    /// The layers before the residual stages.
    package enum Stem: Sendable {
        /// 7×7/2 convolution and 3×3/2 max pool: ÷4 before stage 1 (ImageNet, 224×224).
        case imageNet
        /// One 3×3/1 convolution, no pooling (He et al. §4.2 for CIFAR; the common ResNet-18 adaptation
        /// to 32×32): stage 1 sees the full image and stages 2–4 halve it, 32 or 28 px ending at 4×4.
        case smallImages
        /// One 3×3/1 convolution, then a 2×2/2 max pool: stage 1 at half the image (28 px: 14, 7, 4, 2 px
        /// per stage). A quarter of `smallImages`' multiplications; the stem still sees every pixel.
        case smallImagesPooled
    }

    /// A fresh, unbuilt layer tree of a ResNet of `depth` for `classes` outputs. With `squeezeExcitation` set, every block's
    /// residual branch ends in a squeeze-and-excitation layer of that reduction (SE-ResNet).
    package static func make(_ depth: Depth, classes: Int, stem: Stem = .imageNet, squeezeExcitation reduction: Int? = nil) -> any Layer {
        var layers: [any Layer]
        switch stem {
        case .imageNet:
            layers = [
                Conv2D(filters: 64, kernel: 7, stride: 2, padding: .explicit(height: 3, width: 3), bias: false, name: "conv1"),
                BatchNorm(name: "bn1"), Activation(.relu, name: "relu"),
                MaxPool2D(kernel: 3, stride: 2, padding: .explicit(height: 1, width: 1), name: "maxpool"),
            ]
        case .smallImages, .smallImagesPooled:
            layers = [
                Conv2D(filters: 64, kernel: 3, stride: 1, padding: .explicit(height: 1, width: 1), bias: false, name: "conv1"),
                BatchNorm(name: "bn1"), Activation(.relu, name: "relu"),
            ]
            if stem == .smallImagesPooled { layers.append(MaxPool2D(kernel: 2, stride: 2, name: "maxpool")) }
        }
        var channels = 64
        for (stage, count) in depth.blocksPerStage.enumerated() {
            let width = 64 << stage
            var blocks: [any Layer] = []
            for index in 0..<count {
                let stride = stage > 0 && index == 0 ? 2 : 1
                let block = depth.usesBottleneck
                    ? bottleneck(inputChannels: channels, width: width, stride: stride, squeezeExcitation: reduction, name: "\(index)")
                    : basicBlock(inputChannels: channels, width: width, stride: stride, squeezeExcitation: reduction, name: "\(index)")
                blocks.append(block)
                channels = width * (depth.usesBottleneck ? 4 : 1)
            }
            layers.append(Sequential(name: "layer\(stage + 1)", blocks))
        }
        layers += [GlobalPool(.average, name: "avgpool"), Dense(units: classes, name: "fc")]
        return Sequential(layers)
    }

    /// A basic block (two 3×3 convolutions) followed by its ReLU; `width` output channels.
    package static func basicBlock(inputChannels: Int, width: Int, stride: Int, squeezeExcitation reduction: Int? = nil, name: String) -> any Layer {
        var main: [any Layer] = conv(width, 3, stride: stride, "conv1") + [BatchNorm(name: "bn1"), Activation(.relu, name: "relu1")]
        main += conv(width, 3, "conv2") + [BatchNorm(name: "bn2")]
        if let reduction { main.append(SqueezeExcitation(reduction: reduction, name: "se")) }
        return block(main: main, inputChannels: inputChannels, outputChannels: width, stride: stride, name: name)
    }

    /// A bottleneck block (1×1 → 3×3 → 1×1, 4·`width` output channels) followed by its ReLU.
    package static func bottleneck(inputChannels: Int, width: Int, stride: Int, squeezeExcitation reduction: Int? = nil, name: String) -> any Layer {
        var main: [any Layer] = conv(width, 1, "conv1") + [BatchNorm(name: "bn1"), Activation(.relu, name: "relu1")]
        main += conv(width, 3, stride: stride, "conv2") + [BatchNorm(name: "bn2"), Activation(.relu, name: "relu2")]
        main += conv(width * 4, 1, "conv3") + [BatchNorm(name: "bn3")]
        if let reduction { main.append(SqueezeExcitation(reduction: reduction, name: "se")) }
        return block(main: main, inputChannels: inputChannels, outputChannels: width * 4, stride: stride, name: name)
    }

    /// Residual(main, shortcut) → ReLU, with a 1×1 projection shortcut when the shape changes.
    /// Parameter names match torchvision's (`layer2.0.conv1.weight`, `layer2.0.downsample.0.weight`).
    private static func block(main: [any Layer], inputChannels: Int, outputChannels: Int, stride: Int, name: String) -> any Layer {
        let shortcut: (any Layer)? = stride != 1 || inputChannels != outputChannels
            ? Sequential(name: "downsample", conv(outputChannels, 1, stride: stride, "0") + [BatchNorm(name: "1")])
            : nil
        return Sequential(name: name, [
            Residual(main: Sequential(main), shortcut: shortcut),
            Activation(.relu, name: "relu"),
        ])
    }

    /// A bias-free convolution; 3×3 kernels pad by 1, 1×1 kernels not at all (torchvision).
    private static func conv(_ filters: Int, _ kernel: Int, stride: Int = 1, _ name: String) -> [any Layer] {
        [Conv2D(filters: filters, kernel: kernel, stride: stride, padding: .explicit(height: kernel / 2, width: kernel / 2), bias: false, name: name)]
    }
}
