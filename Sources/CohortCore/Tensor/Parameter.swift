/// A named tensor that belongs to a layer: trainable (with a gradient) or a non-trainable buffer
/// such as BatchNorm's running statistics.
///
/// A parameter is a description (name, shape, role, initializer) until a `ParameterArena` lays the
/// model out: the arena is the only owner of parameter storage and binds `value` and `gradient` to
/// views into its flat buffers, so every rank's arena has the same layout. Before that both are
/// empty, and building a layer tree allocates no weights (summaries of VGG-16 cost nothing).
package final class Parameter {
    /// What a parameter is for, which decides how the optimizer treats it.
    package enum Role: Sendable, Equatable {
        /// A weight (conv kernel, dense matrix): L2 weight decay applies.
        case weight
        /// A bias or a normalization scale/shift: weight decay applies unless exempted.
        case bias
        /// A non-trainable buffer (running mean/variance): no gradient, no optimizer.
        case buffer
    }

    /// The local name inside its layer (`weight`, `bias`, `running_mean`).
    package let name: String
    package let shape: Shape
    package let role: Role
    package let initializer: Initializer
    package internal(set) var value: Tensor
    /// The gradient (same shape). Empty for buffers.
    package internal(set) var gradient: Tensor
    /// Offset of this parameter in its arena buffer (values/gradients for trainable, buffers otherwise).
    package internal(set) var offset: Int = 0
    /// Frozen (`--freeze`): kept out of the gradient arena, like a buffer: no gradient, no
    /// optimizer state, no allreduce traffic. Set by `Network.init` before the arena is laid out.
    package internal(set) var isFrozen = false
    /// This parameter's learning rate relative to the step's (`--lr-head-multiplier`); read by the
    /// optimizer when it is built.
    package var learningRateScale: Float = 1

    package init(name: String, shape: Shape, role: Role, initializer: Initializer) {
        self.name = name
        self.shape = shape
        self.role = role
        self.initializer = initializer
        self.value = Tensor.unbound
        self.gradient = Tensor.unbound
    }

    package var isTrainable: Bool { role != .buffer && !isFrozen }
    package var count: Int { shape.count }
}
