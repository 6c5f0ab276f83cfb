import CohortCore

/// VGG-16 — Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
/// Recognition", ICLR 2015 (configuration D).
///
/// Thirteen 3×3 `same` convolutions with ReLU in five stages (64, 64 | 128, 128 | 256 ×3 | 512 ×3 |
/// 512 ×3), a 2×2 max pool closing each stage, then Dense 4096 → Dense 4096 → classes with dropout
/// 0.5 after each 4096 layer. Input 3×224×224: 138,357,544 parameters for 1000 classes (Keras
/// `VGG16(include_top=True)`; 14,714,688 of them in the convolutions).
///
/// Departures: none from the paper (the final softmax is fused into the loss). Layer names follow
/// Keras, whose `VGG16` application leaves the dropout out (same parameter count).
///
/// Other input sizes: the five pools need at least 32×32 (smaller is an error naming the pool whose
/// output would vanish); inputs that are not 224×224 change the width of the first Dense layer.
package enum VGG {
    /// `vgg16`.
    package static let entry = ModelZoo.Entry(
        name: "vgg16", summary: "VGG-16 (configuration D), 13 conv + 3 dense",
        defaultInput: [3, 224, 224], defaultClasses: 1000,
        make: { classes, _ in make(classes: classes) })

    /// Filters of each convolution, stage by stage (configuration D).
    static let stages: [[Int]] = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]

    /// A fresh, unbuilt layer tree of VGG-16 for `classes` outputs.
    package static func make(classes: Int) -> any Layer {
        var layers: [any Layer] = []
        for (stage, filters) in stages.enumerated() {
            for (index, count) in filters.enumerated() {
                let name = "block\(stage + 1)_conv\(index + 1)"
                layers += [Conv2D(filters: count, kernel: 3, padding: .same, name: name), Activation(.relu, name: name + "_relu")]
            }
            layers.append(MaxPool2D(kernel: 2, name: "block\(stage + 1)_pool"))
        }
        layers.append(Flatten(name: "flatten"))
        for index in 1...2 {
            layers += [Dense(units: 4096, name: "fc\(index)"), Activation(.relu, name: "fc\(index)_relu"), Dropout(rate: 0.5, name: "dropout\(index)")]
        }
        layers.append(Dense(units: classes, name: "predictions"))
        return Sequential(layers)
    }
}
