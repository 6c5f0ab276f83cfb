/// The dimensions of a tensor, outermost first (NCHW for images, NF for features).
public struct Shape: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public var dims: [Int]

    public init(_ dims: [Int]) { self.dims = dims }
    public init(arrayLiteral elements: Int...) { self.dims = elements }

    /// Number of elements (product of the dimensions; 1 for a scalar).
    public var count: Int { dims.reduce(1, *) }
    public var rank: Int { dims.count }
    public subscript(_ i: Int) -> Int { dims[i] }

    /// Batch size: the first dimension.
    public var batch: Int { dims[0] }
    /// Elements per sample: the product of all but the first dimension.
    public var sampleCount: Int { dims.dropFirst().reduce(1, *) }

    /// A batch of `n` samples of this per-sample shape: [n] + dims.
    public func batched(_ n: Int) -> Shape { Shape([n] + dims) }

    /// This shape with a different batch size.
    public func withBatch(_ n: Int) -> Shape { var d = dims; d[0] = n; return Shape(d) }

    public var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }
}
