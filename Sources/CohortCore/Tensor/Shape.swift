/// The dimensions of a tensor, outermost first (NCHW for images, NF for features).
package struct Shape: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    package var dims: [Int]

    package init(_ dims: [Int]) { self.dims = dims }
    package init(arrayLiteral elements: Int...) { self.dims = elements }

    /// Number of elements (product of the dimensions; 1 for a scalar).
    package var count: Int { dims.reduce(1, *) }
    package var rank: Int { dims.count }
    package subscript(_ i: Int) -> Int { dims[i] }

    /// Batch size: the first dimension.
    package var batch: Int { dims[0] }
    /// Elements per sample: the product of all but the first dimension.
    package var sampleCount: Int { dims.dropFirst().reduce(1, *) }

    /// A batch of `n` samples of this per-sample shape: [n] + dims.
    package func batched(_ n: Int) -> Shape { Shape([n] + dims) }

    /// This shape with a different batch size.
    package func withBatch(_ n: Int) -> Shape { var d = dims; d[0] = n; return Shape(d) }

    package var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }
}
