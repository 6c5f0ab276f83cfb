import CohortCore

/// SE-ResNet-50 — Hu, Shen, Albanie, Sun & Wu, "Squeeze-and-Excitation Networks", CVPR 2018
/// (TPAMI 2020).
///
/// ResNet-50 (`ResNet`, torchvision layout) with a squeeze-and-excitation layer of reduction 16 at
/// the end of every bottleneck's residual branch, after the last BatchNorm and before the sum:
/// s = σ(W₂·ReLU(W₁·GAP(x) + b₁) + b₂), x ← x ⊙ s. Input 3×224×224, 1000 classes:
/// 28,088,024 trainable parameters (the paper's "28.09 M"), plus BatchNorm running statistics.
///
/// Departures: the bottleneck strides in its 3×3 convolution (as `ResNet`), where the paper's
/// SE-ResNet-50 follows the original ResNet and strides in the first 1×1 (same parameter count).
///
/// Other input sizes: as `ResNet`, any input from 1×1 builds.
package enum SENet {
    /// `se-resnet50`.
    package static let entry = ModelZoo.Entry(
        name: "se-resnet50", summary: "SE-ResNet-50 (squeeze-and-excitation, reduction 16)",
        defaultInput: [3, 224, 224], defaultClasses: 1000,
        make: { classes, _ in make(classes: classes) })

    /// The squeeze-and-excitation reduction ratio r of the paper.
    package static let reduction = 16

    /// A fresh, unbuilt layer tree of SE-ResNet-50 for `classes` outputs.
    package static func make(classes: Int) -> any Layer {
        ResNet.make(.resnet50, classes: classes, squeezeExcitation: reduction)
    }
}
