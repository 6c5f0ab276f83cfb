/// Parallel branches on the same input, outputs concatenated along channels (an Inception
/// module, Szegedy et al. 2015). Every branch must keep the same H×W. Backward runs the branches
/// in reverse order and sums their input gradients.
package final class Concat: Layer {
    package let name: String
    package let branches: [any Layer]
    private var inputShape: Shape = []
    private var branchChannels: [Int] = []
    private var spatial: [Int] = []
    private var plane: Int { spatial.reduce(1, *) }
    private let output = Tensor(zeros: [0])

    package init(name: String = "", _ branches: [any Layer]) {
        self.name = name
        self.branches = branches
    }

    package var children: [any Layer] { branches }

    package func build(input: Shape) throws -> Shape {
        inputShape = input
        let shapes = try branches.map { try build(child: $0, input: input) }
        guard let first = shapes.first, first.rank == 3 else {
            throw CoreError.invalidArgument("layer '\(name)': needs at least one branch with a [C, H, W] output")
        }
        for (branch, shape) in zip(branches, shapes) where shape.rank != 3 || shape[1] != first[1] || shape[2] != first[2] {
            throw CoreError.invalidArgument("layer '\(name)': branch '\(branch.name)' gives \(shape), expected [*, \(first[1]), \(first[2])]")
        }
        branchChannels = shapes.map { $0[0] }
        spatial = [first[1], first[2]]
        return [branchChannels.reduce(0, +), first[1], first[2]]
    }

    private var totalChannels: Int { branchChannels.reduce(0, +) }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: inputShape)
        let n = x.shape.batch, total = totalChannels
        output.resize(to: Shape([n, total] + spatial))
        var channelOffset = 0
        for (branch, channels) in zip(branches, branchChannels) {
            let y = try forward(child: branch, x, context: context)
            let src = y.values.baseAddress!, dst = output.values.baseAddress!, offset = channelOffset, plane = plane
            ThreadSplit.forEachRange(n, threads: context.threads) { images in
                for i in images {
                    (dst + (i * total + offset) * plane).update(from: src + i * channels * plane, count: channels * plane)
                }
            }
            channelOffset += channels
        }
        return output
    }

    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        let n = dy.shape.batch, total = totalChannels
        let inputGradient = context.buffers.take(inputShape.batched(n))
        var channelOffset = total
        for index in branches.indices.reversed() {
            let channels = branchChannels[index]
            channelOffset -= channels
            let slice = context.buffers.take(Shape([n, channels] + spatial))
            let src = dy.values.baseAddress!, dst = slice.values.baseAddress!, offset = channelOffset, plane = plane
            ThreadSplit.forEachRange(n, threads: context.threads) { images in
                for i in images {
                    (dst + i * channels * plane).update(from: src + (i * total + offset) * plane, count: channels * plane)
                }
            }
            let dx = try backward(child: branches[index], slice, context: context)
            if index == branches.count - 1 {   // the first branch back overwrites, the others add
                Elementwise.copy(dx.values.baseAddress!, to: inputGradient.values.baseAddress!, count: inputGradient.count, threads: context.threads)
            } else {
                Elementwise.add(inputGradient.values, dx.values, into: inputGradient.values, threads: context.threads)
            }
        }
        return inputGradient
    }
}
