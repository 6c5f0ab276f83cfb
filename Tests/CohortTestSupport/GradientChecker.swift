import CohortCore
import CohortRandom

/// Finite-difference gradient checking for layers (docs/DESIGN.md §9.2).
///
/// loss = Σ y ⊙ r for a fixed random r; the analytic gradients from `backward` (input and every
/// trainable parameter) are compared with central differences computed in Double.
package enum GradientChecker {
    package struct Report: CustomStringConvertible {
        package var worstRelativeError: Double
        package var worstPlace: String
        package var description: String { "worst relative error \(worstRelativeError) at \(worstPlace)" }
    }

    /// Builds `layer` for `inputShape` (per sample), binds an arena, runs the check on a batch of `batch`.
    /// `input` fills the input; by default uniform in [-1, 1]. `frozen`: parameter prefixes to freeze
    /// (`--freeze`): their gradients are not checked, the input's still is.
    package static func check(
        _ layer: any Layer, inputShape: Shape, batch: Int = 2, mode: Context.Mode = .training, seed: UInt64 = 7,
        epsilon: Double = 1e-2, samples: Int = 40, frozen: [String] = [], input: ((inout SplitMix64, Int) -> Float)? = nil
    ) throws -> Report {
        let network = try Network(root: layer, inputShape: inputShape, inputGradient: true, frozen: frozen)
        network.arena.initialize(seed: seed)
        var generator = SplitMix64(seed: seed &+ 1)
        // Perturb parameters away from their initial constants (BatchNorm γ = 1, β = 0) to exercise every term.
        for (_, p) in network.arena.trainable + network.arena.buffers.filter({ $0.parameter.isFrozen }) {
            for i in 0..<p.count { p.value[i] += (generator.nextFloat() - 0.5) * 0.2 }
        }
        let x = Tensor(zeros: Shape([batch] + inputShape.dims))
        for i in 0..<x.count { x[i] = input?(&generator, i) ?? (generator.nextFloat() * 2 - 1) }
        let context = Context(mode: mode, sampleKeys: (0..<batch).map { SampleKey(seed: 11, epoch: 0, index: $0) })

        let y = try network.forward(x, context: context)
        let weights = Tensor(zeros: y.shape)
        for i in 0..<weights.count { weights[i] = generator.nextFloat() * 2 - 1 }
        network.arena.zeroGradients()
        let dy = Tensor(shape: y.shape, values: weights.array)
        let dxTensor = try layer.backward(dy, context: context)
        let analyticInput = dxTensor.array
        let analyticParameters = Array(network.arena.gradients)

        func loss() throws -> Double {
            let out = try network.forward(x, context: context)
            var sum = 0.0
            for i in 0..<out.count { sum += Double(out[i]) * Double(weights[i]) }
            return sum
        }
        var report = Report(worstRelativeError: 0, worstPlace: "none")
        func compare(_ analytic: Float, at place: String, perturb: (Float) -> Void, value: Float) throws {
            let h = Float(epsilon) * max(1, abs(value))
            perturb(value + h); let plus = try loss()
            perturb(value - h); let minus = try loss()
            perturb(value)
            let numeric = (plus - minus) / (2 * Double(h))
            let error = abs(numeric - Double(analytic)) / max(1e-2, abs(numeric) + abs(Double(analytic)))
            if error > report.worstRelativeError { report = Report(worstRelativeError: error, worstPlace: "\(place): analytic \(analytic), numeric \(numeric)") }
        }
        for index in sampleIndices(count: x.count, samples: samples, generator: &generator) {
            try compare(analyticInput[index], at: "input[\(index)]", perturb: { x[index] = $0 }, value: x[index])
        }
        for (name, p) in network.arena.trainable {
            for local in sampleIndices(count: p.count, samples: samples, generator: &generator) {
                let index = p.offset + local
                try compare(analyticParameters[index], at: "\(name)[\(local)]", perturb: { network.arena.values[index] = $0 }, value: network.arena.values[index])
            }
        }
        return report
    }

    /// First, last and random indices (borders included).
    static func sampleIndices(count: Int, samples: Int, generator: inout SplitMix64) -> [Int] {
        if count <= samples { return Array(0..<count) }
        var set: Set<Int> = [0, count - 1]
        while set.count < samples { set.insert(Int(generator.next() % UInt64(count))) }
        return set.sorted()
    }
}
