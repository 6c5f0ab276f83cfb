/// Tensors lent out for values that live only briefly, such as the input gradients of a backward
/// pass: each is consumed by the layer before and then dropped. A tensor returns to the pool by
/// itself once the pool holds its only reference, so a handful of tensors serve a whole network
/// where one per layer would hold as much memory as the activations. Storage is kept and grown,
/// so steady-state steps allocate nothing.
///
/// A taker must hold the tensor (not only a pointer into it) for as long as it uses the storage.
package final class TensorPool {
    private var tensors: [Tensor] = []

    package init() {}

    /// A tensor of `shape` that no one else holds; its contents are unspecified.
    /// Picks the smallest free tensor that fits, else grows the largest free one, else makes one.
    package func take(_ shape: Shape) -> Tensor {
        let needed = shape.count
        var best: Int?
        for i in tensors.indices where isKnownUniquelyReferenced(&tensors[i]) {
            guard let chosen = best else { best = i; continue }
            let capacity = tensors[i].storage.count, chosenCapacity = tensors[chosen].storage.count
            let better = capacity >= needed
                ? chosenCapacity < needed || capacity < chosenCapacity
                : chosenCapacity < needed && capacity > chosenCapacity
            if better { best = i }
        }
        let tensor: Tensor
        if let best {
            tensor = tensors[best]
        } else {
            tensor = Tensor(zeros: [0])
            tensors.append(tensor)
        }
        tensor.resize(to: shape)
        return tensor
    }

    /// Elements held by the pool's tensors (for tests and memory reports).
    package var capacity: Int { tensors.reduce(0) { $0 + $1.storage.count } }
}
