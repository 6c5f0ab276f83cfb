/// A layer whose forward output is a tensor of its own that its backward never reads. Within a
/// `Sequential` only the next layer sees that output, so the next layer may overwrite it in place
/// (an `Activation` does: a ReLU after a BatchNorm or a residual sum then costs no memory).
package protocol OverwritableOutput: Layer {}

/// Backward reads x and the weights.
extension Conv2D: OverwritableOutput {}
/// Backward reads x and the weights.
extension Dense: OverwritableOutput {}
/// Backward reads x and the per-channel statistics, and with `rectifiesOutput` its output, which the
/// ReLU after it (the next layer) then passes on untouched.
extension BatchNorm: OverwritableOutput {}
/// Backward reads only the input's shape.
extension Residual: OverwritableOutput {}
/// Backward reads nothing of the forward pass but shapes.
extension Concat: OverwritableOutput {}
/// Backward reads x and the channel scales.
extension SqueezeExcitation: OverwritableOutput {}
