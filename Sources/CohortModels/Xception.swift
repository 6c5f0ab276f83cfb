import CohortCore

/// Xception — Chollet, "Xception: Deep Learning with Depthwise Separable Convolutions", CVPR 2017,
/// as Keras's `keras.applications.Xception`.
///
/// Entry flow: conv 32@3×3/2 and conv 64@3×3 (`valid`, no bias, BN, ReLU), then three blocks of two
/// separable 3×3 convolutions (128, 256, 728) closed by a 3×3/2 max pool, each added to a 1×1/2
/// convolution + BN shortcut. Middle flow: eight blocks of three ReLU → separable 728 → BN with an
/// identity shortcut. Exit flow: ReLU → sep 728 → BN → ReLU → sep 1024 → BN → max pool, + 1×1/2
/// shortcut; sep 1536 → BN → ReLU → sep 2048 → BN → ReLU; global average pool → dense.
/// Separable convolutions have no bias. Input 3×299×299: 22,910,480 parameters for 1000 classes in
/// Keras's convention (22,855,952 trainable + 54,528 BatchNorm moving mean/variance).
///
/// Departures: none from Keras's model, apart from BatchNorm using Cohort's defaults
/// (momentum 0.9, ε = 1e-5; Keras: 0.99, 1e-3). The paper's optional dense layers before the
/// classifier are left out, as Keras does.
///
/// Other input sizes: the two `valid` stem convolutions need at least 7×7; every later stage uses
/// `same` padding and global pooling, so 1×28×28 builds (exit flow at 1×1).
package enum Xception {
    /// `xception`.
    package static let entry = ModelZoo.Entry(
        name: "xception", summary: "Xception (entry/middle/exit flows, Keras layout)",
        defaultInput: [3, 299, 299], defaultClasses: 1000,
        make: { classes, _ in make(classes: classes) })

    /// Middle-flow blocks (eight in the paper).
    static let middleBlocks = 8

    /// A fresh, unbuilt layer tree of Xception for `classes` outputs.
    package static func make(classes: Int) -> any Layer {
        var layers: [any Layer] = [
            Conv2D(filters: 32, kernel: 3, stride: 2, padding: .valid, bias: false, name: "block1_conv1"),
            BatchNorm(name: "block1_conv1_bn"), Activation(.relu, name: "block1_conv1_act"),
            Conv2D(filters: 64, kernel: 3, padding: .valid, bias: false, name: "block1_conv2"),
            BatchNorm(name: "block1_conv2_bn"), Activation(.relu, name: "block1_conv2_act"),
        ]
        layers.append(downsamplingBlock(block: 2, filters: (128, 128), leadingReLU: false))
        layers.append(downsamplingBlock(block: 3, filters: (256, 256), leadingReLU: true))
        layers.append(downsamplingBlock(block: 4, filters: (728, 728), leadingReLU: true))
        for block in 5..<(5 + middleBlocks) { layers.append(middleBlock(block: block)) }
        layers.append(downsamplingBlock(block: 5 + middleBlocks, filters: (728, 1024), leadingReLU: true))
        let last = 6 + middleBlocks
        layers += separable(1536, block: last, index: 1) + [Activation(.relu, name: "block\(last)_sepconv1_act")]
        layers += separable(2048, block: last, index: 2) + [Activation(.relu, name: "block\(last)_sepconv2_act")]
        layers += [GlobalPool(.average, name: "avg_pool"), Dense(units: classes, name: "predictions")]
        return Sequential(layers)
    }

    /// Separable 3×3 (no bias) → BatchNorm, named as Keras (`block3_sepconv1`, `block3_sepconv1_bn`).
    private static func separable(_ filters: Int, block: Int, index: Int) -> [any Layer] {
        let name = "block\(block)_sepconv\(index)"
        return [SeparableConv2D(filters: filters, kernel: 3, padding: .same, bias: false, name: name), BatchNorm(name: name + "_bn")]
    }

    /// [ReLU] → sep → BN → ReLU → sep → BN → max pool 3×3/2, plus a 1×1/2 convolution + BN shortcut.
    /// `leadingReLU` is false for block 2, whose input has just been through a ReLU.
    package static func downsamplingBlock(block: Int, filters: (Int, Int), leadingReLU: Bool) -> any Layer {
        var main: [any Layer] = leadingReLU ? [Activation(.relu, name: "block\(block)_sepconv1_act")] : []
        main += separable(filters.0, block: block, index: 1) + [Activation(.relu, name: "block\(block)_sepconv2_act")]
        main += separable(filters.1, block: block, index: 2)
        main.append(MaxPool2D(kernel: 3, stride: 2, padding: .same, name: "block\(block)_pool"))
        let shortcut = Sequential(name: "block\(block)_shortcut", [
            Conv2D(filters: filters.1, kernel: 1, stride: 2, padding: .same, bias: false, name: "conv"), BatchNorm(name: "bn"),
        ])
        return Residual(name: "block\(block)", main: Sequential(main), shortcut: shortcut)
    }

    /// Three ReLU → separable 728 → BN units with an identity shortcut.
    package static func middleBlock(block: Int, channels: Int = 728) -> any Layer {
        var main: [any Layer] = []
        for index in 1...3 {
            main.append(Activation(.relu, name: "block\(block)_sepconv\(index)_act"))
            main += separable(channels, block: block, index: index)
        }
        return Residual(name: "block\(block)", main: Sequential(main))
    }
}
