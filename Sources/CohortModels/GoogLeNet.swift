import CohortCore

/// GoogLeNet (Inception v1) — Szegedy et al., "Going Deeper with Convolutions", CVPR 2015.
///
/// Stem: conv 64@7×7/2 → max pool 3×3/2 → conv 192@3×3 → max pool 3×3/2; inception modules 3a, 3b,
/// pool, 4a–4e, pool, 5a, 5b (paper Table 1 widths); global average pool → dropout 0.4 → dense.
/// Every convolution has a bias and a ReLU; every pool uses `same` padding (224 → 112 → 56 → 28 → 14 → 7).
/// An inception module is four branches concatenated along channels: 1×1; 1×1 reduce → 3×3;
/// 1×1 reduce → 5×5; 3×3/1 max pool → 1×1 projection. Input 3×224×224: 6,994,392 parameters for
/// 1000 classes, the seed code's count.
///
/// Departures from the paper, all as the seed code: no auxiliary classifiers, no LRN, no
/// BatchNorm, and no 1×1 64→64 reduction before conv2 (with it the count would be 6,998,552);
/// the 7×7 average pool is a global one.
///
/// Other input sizes: with `same` pools and global pooling any input builds (1×1 and up).
package enum GoogLeNet {
    /// `googlenet`.
    package static let entry = ModelZoo.Entry(
        name: "googlenet", summary: "GoogLeNet / Inception v1 as the seed code (no aux heads, no BN)",
        defaultInput: [3, 224, 224], defaultClasses: 1000,
        make: { classes, _ in make(classes: classes) })

    /// Widths of one inception module (paper Table 1 columns).
    package struct ModuleWidths: Sendable {
        package var oneByOne: Int, reduce3x3: Int, conv3x3: Int, reduce5x5: Int, conv5x5: Int, poolProjection: Int

        package init(oneByOne: Int, reduce3x3: Int, conv3x3: Int, reduce5x5: Int, conv5x5: Int, poolProjection: Int) {
            (self.oneByOne, self.reduce3x3, self.conv3x3) = (oneByOne, reduce3x3, conv3x3)
            (self.reduce5x5, self.conv5x5, self.poolProjection) = (reduce5x5, conv5x5, poolProjection)
        }

        /// Output channels of the module.
        package var outputChannels: Int { oneByOne + conv3x3 + conv5x5 + poolProjection }
    }

    /// The nine modules of Table 1, in order, by name.
    static let modules: [(name: String, widths: ModuleWidths)] = [
        ("3a", ModuleWidths(oneByOne: 64, reduce3x3: 96, conv3x3: 128, reduce5x5: 16, conv5x5: 32, poolProjection: 32)),
        ("3b", ModuleWidths(oneByOne: 128, reduce3x3: 128, conv3x3: 192, reduce5x5: 32, conv5x5: 96, poolProjection: 64)),
        ("4a", ModuleWidths(oneByOne: 192, reduce3x3: 96, conv3x3: 208, reduce5x5: 16, conv5x5: 48, poolProjection: 64)),
        ("4b", ModuleWidths(oneByOne: 160, reduce3x3: 112, conv3x3: 224, reduce5x5: 24, conv5x5: 64, poolProjection: 64)),
        ("4c", ModuleWidths(oneByOne: 128, reduce3x3: 128, conv3x3: 256, reduce5x5: 24, conv5x5: 64, poolProjection: 64)),
        ("4d", ModuleWidths(oneByOne: 112, reduce3x3: 144, conv3x3: 288, reduce5x5: 32, conv5x5: 64, poolProjection: 64)),
        ("4e", ModuleWidths(oneByOne: 256, reduce3x3: 160, conv3x3: 320, reduce5x5: 32, conv5x5: 128, poolProjection: 128)),
        ("5a", ModuleWidths(oneByOne: 256, reduce3x3: 160, conv3x3: 320, reduce5x5: 32, conv5x5: 128, poolProjection: 128)),
        ("5b", ModuleWidths(oneByOne: 384, reduce3x3: 192, conv3x3: 384, reduce5x5: 48, conv5x5: 128, poolProjection: 128)),
    ]

    /// A fresh, unbuilt layer tree of GoogLeNet for `classes` outputs.
    package static func make(classes: Int) -> any Layer {
        var layers: [any Layer] = convReLU(64, 7, stride: 2, "conv1")
        layers.append(MaxPool2D(kernel: 3, stride: 2, padding: .same, name: "pool1"))
        layers += convReLU(192, 3, "conv2")
        layers.append(MaxPool2D(kernel: 3, stride: 2, padding: .same, name: "pool2"))
        for (name, widths) in modules {
            layers.append(inception(widths, name: "inception" + name))
            // Stage ends: after 3b and 4e comes a stride-2 pool.
            if name == "3b" || name == "4e" {
                layers.append(MaxPool2D(kernel: 3, stride: 2, padding: .same, name: "pool" + (name == "3b" ? "3" : "4")))
            }
        }
        layers += [GlobalPool(.average, name: "avgpool"), Dropout(rate: 0.4, name: "dropout"), Dense(units: classes, name: "fc")]
        return Sequential(layers)
    }

    /// One inception module: four `same`-padded branches concatenated along channels.
    package static func inception(_ w: ModuleWidths, name: String) -> any Layer {
        Concat(name: name, [
            Sequential(name: "branch1x1", convReLU(w.oneByOne, 1, "conv")),
            Sequential(name: "branch3x3", convReLU(w.reduce3x3, 1, "reduce") + convReLU(w.conv3x3, 3, "conv")),
            Sequential(name: "branch5x5", convReLU(w.reduce5x5, 1, "reduce") + convReLU(w.conv5x5, 5, "conv")),
            Sequential(name: "branch_pool", [MaxPool2D(kernel: 3, stride: 1, padding: .same, name: "pool")] + convReLU(w.poolProjection, 1, "proj")),
        ])
    }

    private static func convReLU(_ filters: Int, _ kernel: Int, stride: Int = 1, _ name: String) -> [any Layer] {
        [Conv2D(filters: filters, kernel: kernel, stride: stride, padding: .same, name: name), Activation(.relu, name: name + "_relu")]
    }
}
