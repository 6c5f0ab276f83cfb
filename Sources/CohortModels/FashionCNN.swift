import CohortCore

/// The seed notebook's Fashion-MNIST CNN (Keras): Conv64/7 → MaxPool2 → Conv128/3 ×2 → MaxPool2 →
/// Conv256/3 ×2 → MaxPool2 → Flatten → Dense128 → Dropout .5 → Dense64 → Dropout .5 → Dense(classes),
/// ReLU, `same` padding, 1×28×28 input. 1,413,834 parameters for 10 classes.
/// Departure: none (the final softmax is fused into the loss).
package enum FashionCNN {
    /// `fashion-cnn`.
    package static let entry = ModelZoo.Entry(
        name: "fashion-cnn", summary: "seed Fashion-MNIST CNN (Keras notebook)", defaultInput: [1, 28, 28], defaultClasses: 10,
        make: { classes, _ in make(classes: classes) })

    /// A fresh, unbuilt layer tree of the seed CNN for `classes` outputs.
    package static func make(classes: Int) -> any Layer {
        func conv(_ filters: Int, _ kernel: Int, _ name: String) -> [any Layer] {
            [Conv2D(filters: filters, kernel: kernel, padding: .same, name: name), Activation(.relu, name: name + "_relu")]
        }
        var layers: [any Layer] = conv(64, 7, "conv1")
        layers.append(MaxPool2D(kernel: 2, name: "pool1"))
        layers += conv(128, 3, "conv2") + conv(128, 3, "conv3")
        layers.append(MaxPool2D(kernel: 2, name: "pool2"))
        layers += conv(256, 3, "conv4") + conv(256, 3, "conv5")
        layers.append(MaxPool2D(kernel: 2, name: "pool3"))
        layers += [
            Flatten(name: "flatten"),
            Dense(units: 128, name: "fc1"), Activation(.relu, name: "fc1_relu"), Dropout(rate: 0.5, name: "dropout1"),
            Dense(units: 64, name: "fc2"), Activation(.relu, name: "fc2_relu"), Dropout(rate: 0.5, name: "dropout2"),
            Dense(units: classes, name: "logits"),
        ]
        return Sequential(layers)
    }
}
