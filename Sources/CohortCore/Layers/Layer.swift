import CohortRandom
import CohortTrace

/// A differentiable building block of a network.
///
/// Life cycle: `build(input:)` is called once with the per-sample input shape (batch dimension 1);
/// it creates the parameters and returns the per-sample output shape. `forward` caches what
/// `backward` needs (each layer's doc comment says what); `backward` returns dX and **accumulates**
/// (`+=`) into parameter gradients. Backward of a composite is its forward in reverse.
package protocol Layer: AnyObject {
    /// Local name, used in dotted parameter names (`layer3.1.conv2.weight`).
    var name: String { get }
    /// Creates parameters for a per-sample input shape; returns the per-sample output shape.
    func build(input: Shape) throws -> Shape
    /// Computes the output for a batch. Throws `CoreError.shapeMismatch` on a wrongly shaped input.
    func forward(_ x: Tensor, context: Context) throws -> Tensor
    /// Given dL/dY for the last forward, returns dL/dX and accumulates parameter gradients.
    func backward(_ dy: Tensor, context: Context) throws -> Tensor
    /// This layer's own parameters and buffers, in a fixed order (children excluded).
    var parameters: [Parameter] { get }
    /// Sub-layers, in forward order.
    var children: [any Layer] { get }
    /// Multiply-accumulate count ×2 of one forward pass of one sample (children excluded).
    var forwardFLOPs: Int { get }
}

extension Layer {
    package var parameters: [Parameter] { [] }
    package var children: [any Layer] { [] }
    package var forwardFLOPs: Int { 0 }
}

/// What a forward/backward pass needs to know beyond the tensors.
package final class Context {
    /// Training (dropout active, batch statistics) or inference.
    package enum Mode: Sendable { case training, inference }

    package var mode: Mode
    /// Threads this rank may use for element loops.
    package var threads: Int
    /// The key of each sample of the batch (seed, epoch, global sample index): dropout masks come
    /// from these, never from rank or thread.
    package var sampleKeys: [SampleKey]
    /// Told when gradients are final and asked to sum BatchNorm statistics (data-parallel steps).
    package var observer: (any PassObserver)?
    /// During `Network.backward`: the arena offset of the first trainable parameter of each layer
    /// that has one, so a finished child tells the observer where final gradients start.
    var gradientOffsets: [ObjectIdentifier: Int] = [:]
    /// When set, composite layers time each child's forward and backward into it.
    package var profile: LayerProfile?
    /// Short-lived tensors: the input gradients backward returns (each lives only until the layer
    /// before has consumed it) and per-call workspaces such as im2col columns. A few pooled tensors
    /// replace one of each per layer.
    package let buffers = TensorPool()

    package init(mode: Mode, threads: Int = 1, sampleKeys: [SampleKey] = []) {
        self.mode = mode
        self.threads = threads
        self.sampleKeys = sampleKeys
    }
}

extension Layer {
    /// This layer's dotted path below a parent's path `prefix` (an unnamed layer adds nothing).
    package func path(under prefix: String) -> String {
        prefix.isEmpty ? name : (name.isEmpty ? prefix : prefix + "." + name)
    }

    /// Every parameter of this layer and its descendants with dotted names, depth first, own parameters first.
    package func namedParameters(prefix: String = "") -> [(name: String, parameter: Parameter)] {
        let path = path(under: prefix)
        var result = parameters.map { (path.isEmpty ? $0.name : path + "." + $0.name, $0) }
        for child in children { result += child.namedParameters(prefix: path) }
        return result
    }

    /// Checks the per-sample part of `x`'s shape against the shape the layer was built for.
    func checkInput(_ x: Tensor, expected: Shape) throws {
        guard x.shape.rank == expected.rank + 1, Array(x.shape.dims.dropFirst()) == expected.dims else {
            throw CoreError.shapeMismatch(layer: name, expected: "[N, " + expected.dims.map(String.init).joined(separator: ", ") + "]", got: x.shape)
        }
    }

    /// Builds `child` for `input`; a shape error inside it names the layer by its path from here
    /// (`layer3.0.conv2`), so composites report errors with dotted paths like parameter names.
    func build(child: any Layer, input: Shape) throws -> Shape {
        do {
            return try child.build(input: input)
        } catch let error as CoreError where !name.isEmpty {
            throw error.inside(name)
        }
    }

    /// Forward FLOPs per sample of this layer and all its descendants.
    package var totalForwardFLOPs: Int { children.reduce(forwardFLOPs) { $0 + $1.totalForwardFLOPs } }

    /// Runs `child.forward`, timed when the context carries a profile or a trace is recording.
    func forward(child: any Layer, _ x: Tensor, context: Context) throws -> Tensor {
        let trace = StepTrace.current
        guard context.profile != nil || trace != nil else { return try child.forward(x, context: context) }
        let start = LayerProfile.now()
        let y = try child.forward(x, context: context)
        let end = LayerProfile.now()
        context.profile?.record(child, forward: end - start)
        trace?.span(child.name, category: "forward", thread: StepTrace.trainingThread, start: start, end: end)
        return y
    }

    /// Runs `child.backward` (timed when the context carries a profile or a trace is recording),
    /// then tells the observer that the child's gradients, and all after them in the arena, are final.
    func backward(child: any Layer, _ dy: Tensor, context: Context) throws -> Tensor {
        let trace = StepTrace.current
        let start = context.profile == nil && trace == nil ? 0 : LayerProfile.now()
        let dx = try child.backward(dy, context: context)
        if context.profile != nil || trace != nil {
            let end = LayerProfile.now()
            context.profile?.record(child, backward: end - start)
            trace?.span(child.name, category: "backward", thread: StepTrace.trainingThread, start: start, end: end)
        }
        if let observer = context.observer, let offset = context.gradientOffsets[ObjectIdentifier(child)] {
            observer.gradientsReady(from: offset)
        }
        return dx
    }
}
