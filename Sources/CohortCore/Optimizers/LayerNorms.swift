/// Per-tensor L2 norms for the layer-wise optimizers (LARS, LAMB): one entry per trainable tensor
/// of an arena, whether it adapts (weights do; biases and BatchNorm parameters keep a trust ratio
/// of 1, as in the papers), and the norms computed in Double, each tensor in one fixed order
/// whatever the thread count.
struct LayerNorms {
    /// Each trainable tensor's arena range, whether its rate adapts, and its learning-rate scale.
    let layers: [(range: Range<Int>, adapts: Bool, scale: Float)]

    init(arena: ParameterArena) {
        layers = arena.trainable.map { ($0.parameter.offset..<($0.parameter.offset + $0.parameter.count), $0.parameter.role == .weight,
                                        $0.parameter.learningRateScale) }
    }

    /// ‖a‖ and ‖b‖ over each tensor's range, split by tensor across `threads`.
    func norms(_ a: UnsafeMutableBufferPointer<Float>, _ b: UnsafeMutableBufferPointer<Float>, threads: Int) -> [(Double, Double)] {
        var result = [(Double, Double)](repeating: (0, 0), count: layers.count)
        let layers = layers
        result.withUnsafeMutableBufferPointer { out in
            ThreadSplit.forEachRange(layers.count, threads: threads) { indices in
                for index in indices {
                    var sa = 0.0, sb = 0.0
                    for i in layers[index].range {
                        sa += Double(a[i]) * Double(a[i])
                        sb += Double(b[i]) * Double(b[i])
                    }
                    out[index] = (sa.squareRoot(), sb.squareRoot())
                }
            }
        }
        return result
    }

    /// The trust ratio ‖w‖ / ‖u‖, or 1 when either norm is zero.
    static func trust(weights: Double, update: Double) -> Double { weights > 0 && update > 0 ? weights / update : 1 }
}
