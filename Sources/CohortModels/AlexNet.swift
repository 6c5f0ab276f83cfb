import CohortCore

/// AlexNet — Krizhevsky, Sutskever & Hinton, "ImageNet Classification with Deep Convolutional
/// Neural Networks", NeurIPS 2012.
///
/// Five convolutions (96@11×11/4, 256@5×5, 384@3×3, 384@3×3, 256@3×3, ReLU), 3×3 stride-2
/// overlapping max pooling after the first, second and fifth, then Dense 4096 → Dense 4096 →
/// classes with dropout 0.5 after each 4096 layer. Input 3×227×227 (the paper's "224" does not
/// give its own 55×55 first layer; 227 does).
///
/// Variants (`AlexNet.Variant`):
/// - `.batchNorm` (`alexnet`): the seed notebook's Keras code — BatchNorm after every convolution's
///   ReLU, no LRN: 62,383,848 parameters for 1000 classes in Keras's convention (62,381,096
///   trainable, of which 2,752 BatchNorm γ/β, + 2,752 BatchNorm moving mean/variance).
/// - `.localResponseNorm` (`alexnet-lrn`): the paper — LRN (k = 2, n = 5, α = 1e-4, β = 0.75) after
///   the ReLU of conv1 and conv2, no BatchNorm: 62,378,344 parameters for 1000 classes.
///
/// Departures from the paper: one tower — conv2, conv4 and conv5 see all input channels instead of
/// the two GPU halves (the paper's split gives 60,965,224 parameters); no PCA colour augmentation or
/// test-time crops (data concerns, not the model's). BatchNorm uses Cohort's defaults
/// (momentum 0.9, ε = 1e-5) rather than Keras's (0.99, 1e-3).
///
/// Other input sizes: the three stride-2 pools need at least 67×67 (a smaller input is an error
/// naming the pooling layer whose output would vanish); larger inputs widen the first Dense layer.
package enum AlexNet {
    /// Which normalization follows the convolutions.
    package enum Variant: Sendable {
        /// BatchNorm after every convolution (seed Keras code).
        case batchNorm
        /// Local response normalization after conv1 and conv2 (the 2012 paper).
        case localResponseNorm
    }

    /// `alexnet`: the seed Keras variant with BatchNorm.
    package static let batchNormEntry = ModelZoo.Entry(
        name: "alexnet", summary: "AlexNet as the seed Keras code (BatchNorm, no LRN)",
        defaultInput: [3, 227, 227], defaultClasses: 1000,
        make: { classes, _ in make(.batchNorm, classes: classes) })

    /// `alexnet-lrn`: the 2012 paper as one tower.
    package static let localResponseNormEntry = ModelZoo.Entry(
        name: "alexnet-lrn", summary: "AlexNet as the 2012 paper, one tower (LRN, overlapping pools)",
        defaultInput: [3, 227, 227], defaultClasses: 1000,
        make: { classes, _ in make(.localResponseNorm, classes: classes) })

    /// A fresh, unbuilt layer tree of AlexNet for `classes` outputs.
    package static func make(_ variant: Variant, classes: Int) -> any Layer {
        func conv(_ index: Int, _ filters: Int, _ kernel: Int, stride: Int = 1, padding: Padding) -> [any Layer] {
            let name = "conv\(index)"
            var layers: [any Layer] = [
                Conv2D(filters: filters, kernel: kernel, stride: stride, padding: padding, name: name),
                Activation(.relu, name: name + "_relu"),
            ]
            switch variant {
            case .batchNorm: layers.append(BatchNorm(name: name + "_bn"))
            case .localResponseNorm where index <= 2: layers.append(LocalResponseNorm(size: 5, k: 2, alpha: 1e-4, beta: 0.75, name: name + "_lrn"))
            case .localResponseNorm: break
            }
            return layers
        }
        func pool(_ index: Int) -> any Layer { MaxPool2D(kernel: 3, stride: 2, name: "pool\(index)") }
        func dense(_ index: Int) -> [any Layer] {
            [Dense(units: 4096, name: "fc\(index)"), Activation(.relu, name: "fc\(index)_relu"), Dropout(rate: 0.5, name: "dropout\(index)")]
        }
        var layers: [any Layer] = conv(1, 96, 11, stride: 4, padding: .valid) + [pool(1)]
        layers += conv(2, 256, 5, padding: .same) + [pool(2)]
        layers += conv(3, 384, 3, padding: .same) + conv(4, 384, 3, padding: .same) + conv(5, 256, 3, padding: .same) + [pool(5)]
        layers += [Flatten(name: "flatten")] + dense(6) + dense(7) + [Dense(units: classes, name: "fc8")]
        return Sequential(layers)
    }
}
