import CohortCore

/// LeNet-5 — LeCun, Bottou, Bengio & Haffner, "Gradient-Based Learning Applied to Document
/// Recognition", Proc. IEEE 86(11), 1998.
///
/// Layers: C1 6@5×5 → S2 2×2 average pool → C3 16@5×5 → S4 2×2 average pool → C5 120@5×5 →
/// F6 84 → output, tanh after every convolution and F6.
///
/// Variants (`LeNet.Variant`):
/// - `.seed` (`lenet5`): the seed notebook's Keras code — 28×28 input and `same` padding in every
///   convolution, so C5 keeps a 7×7 plane and F6 sees 5,880 features: 545,546 parameters (10 classes).
/// - `.classic` (`lenet5-classic`): the paper's table — 32×32 input, `valid` convolutions,
///   C5 = 120 maps of 1×1: 61,706 parameters (10 classes).
///
/// Departures from the paper (both variants): C3 sees all six S2 maps (no sparse connection table);
/// S2/S4 are plain average pooling without the trainable coefficient and bias; plain tanh instead
/// of 1.7159·tanh(2a/3); the output is a dense layer into softmax instead of Euclidean RBF units.
///
/// Other input sizes: `.seed` takes any size of at least 4×4. `.classic` zero-pads an input smaller
/// than 32×32 up to 32×32 (as the paper placed 28×28 MNIST digits in a 32×32 field); a larger
/// input leaves C5 with planes larger than 1×1, all flattened into F6.
package enum LeNet {
    /// Which LeNet-5 to build.
    package enum Variant: Sendable {
        /// The seed notebook's Keras code: `same` padding, 28×28.
        case seed
        /// The paper's table: `valid` convolutions, 32×32.
        case classic
    }

    /// `lenet5`: the seed Keras variant.
    package static let seedEntry = ModelZoo.Entry(
        name: "lenet5", summary: "LeNet-5 as the seed Keras code (same padding, tanh, avg pool)",
        defaultInput: [1, 28, 28], defaultClasses: 10,
        make: { classes, input in make(.seed, classes: classes, input: input) })

    /// `lenet5-classic`: the paper's table.
    package static let classicEntry = ModelZoo.Entry(
        name: "lenet5-classic", summary: "LeNet-5 as the 1998 paper's table (32×32, valid convs)",
        defaultInput: [1, 32, 32], defaultClasses: 10,
        make: { classes, input in make(.classic, classes: classes, input: input) })

    /// A fresh, unbuilt layer tree of LeNet-5 for `classes` outputs and a per-sample `input` [C, H, W].
    package static func make(_ variant: Variant, classes: Int, input: Shape) -> any Layer {
        let padding: Padding = variant == .seed ? .same : .valid
        func conv(_ filters: Int, _ name: String) -> [any Layer] {
            [Conv2D(filters: filters, kernel: 5, padding: padding, name: name), Activation(.tanh, name: name + "_tanh")]
        }
        var layers: [any Layer] = []
        if variant == .classic, input.rank == 3 {
            let (extraH, extraW) = (max(0, 32 - input[1]), max(0, 32 - input[2]))
            if extraH + extraW > 0 {
                layers.append(ZeroPad2D(top: extraH / 2, bottom: extraH - extraH / 2, left: extraW / 2, right: extraW - extraW / 2, name: "pad"))
            }
        }
        layers += conv(6, "c1") + [AvgPool2D(kernel: 2, name: "s2")]
        layers += conv(16, "c3") + [AvgPool2D(kernel: 2, name: "s4")]
        layers += conv(120, "c5")
        layers += [
            Flatten(name: "flatten"),
            Dense(units: 84, name: "f6"), Activation(.tanh, name: "f6_tanh"),
            Dense(units: classes, name: "output"),
        ]
        return Sequential(layers)
    }
}
