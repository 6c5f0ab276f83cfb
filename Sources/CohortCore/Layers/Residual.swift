/// A residual connection (He et al. 2016): y = main(x) + shortcut(x), where the shortcut is the
/// identity or a projection (e.g. 1×1 conv + BatchNorm). Any activation after the sum is a
/// separate layer. Backward runs the shortcut first (its parameters come later in the arena).
/// When the main branch ends in an `OverwritableOutput` layer, the sum is written over that layer's output.
package final class Residual: Layer {
    package let name: String
    package let main: any Layer
    package let shortcut: (any Layer)?
    private var inputShape: Shape = []
    private var input: Tensor?
    private let ownOutput = Tensor(zeros: [0])
    private var sumsInPlace = false

    package init(name: String = "", main: any Layer, shortcut: (any Layer)? = nil) {
        self.name = name
        self.main = main
        self.shortcut = shortcut
    }

    package var children: [any Layer] { [main, shortcut].compactMap { $0 } }

    package func build(input: Shape) throws -> Shape {
        inputShape = input
        let mainShape = try build(child: main, input: input)
        let shortcutShape = try shortcut.map { try build(child: $0, input: input) } ?? input
        let last = (main as? Sequential)?.layers.last ?? main
        sumsInPlace = last is OverwritableOutput
        guard mainShape == shortcutShape else {
            throw CoreError.invalidArgument("layer '\(name)': main branch gives \(mainShape) but the shortcut gives \(shortcutShape)")
        }
        return mainShape
    }

    package func forward(_ x: Tensor, context: Context) throws -> Tensor {
        try checkInput(x, expected: inputShape)
        input = x
        let a = try forward(child: main, x, context: context)
        let b = try shortcut.map { try forward(child: $0, x, context: context) } ?? x
        let output = sumsInPlace ? a : ownOutput
        if !sumsInPlace { output.resize(to: a.shape) }
        Elementwise.add(a.values, b.values, into: output.values, threads: context.threads)
        return output
    }

    /// dX = shortcut'(dY) + main'(dY), summed into one branch's own result rather than a tensor of
    /// its own. dY is never written: the caller may read it again (an enclosing residual hands the
    /// same dY to both its branches), and a pass-through branch (an inactive dropout) returns dY itself.
    package func backward(_ dy: Tensor, context: Context) throws -> Tensor {
        guard input != nil else { throw CoreError.invalidArgument("layer '\(name)': backward before forward") }
        let ds = try shortcut.map { try backward(child: $0, dy, context: context) } ?? dy
        let dm = try backward(child: main, dy, context: context)
        let sum: Tensor, addend: Tensor
        if dm !== dy {
            (sum, addend) = (dm, ds)
        } else if ds !== dy {
            (sum, addend) = (ds, dm)
        } else {
            sum = context.buffers.take(dy.shape)
            Elementwise.copy(dy.values.baseAddress!, to: sum.values.baseAddress!, count: dy.count, threads: context.threads)
            addend = dy
        }
        Elementwise.add(sum.values, addend.values, into: sum.values, threads: context.threads)
        return sum
    }
}
