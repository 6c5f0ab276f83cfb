/// A contiguous float32 tensor (NCHW for images).
///
/// A tensor either owns its storage (allocated, grown on demand, freed on deinit) or is a view
/// into storage owned elsewhere (parameters are views into the `ParameterArena`). Layers keep
/// their output tensors and call `resize(to:)` each step, which reallocates only when the new
/// shape needs more room than any earlier one: no allocation per step.
package final class Tensor {
    package private(set) var shape: Shape
    package private(set) var storage: UnsafeMutableBufferPointer<Float>
    private let owned: Bool

    /// A zero-filled tensor that owns its storage.
    package init(zeros shape: Shape) {
        self.shape = shape
        self.storage = .allocate(capacity: max(shape.count, 1))
        storage.initialize(repeating: 0)
        self.owned = true
    }

    /// A tensor holding a copy of `values`.
    package convenience init(shape: Shape, values: [Float]) {
        precondition(values.count == shape.count, "Tensor: \(values.count) values for shape \(shape)")
        self.init(zeros: shape)
        _ = storage.update(fromContentsOf: values)
    }

    /// A non-owning view of `storage` (which must hold at least `shape.count` elements and outlive the view).
    package init(view storage: UnsafeMutableBufferPointer<Float>, shape: Shape) {
        precondition(storage.count >= shape.count, "Tensor view: \(storage.count) elements for shape \(shape)")
        self.shape = shape
        self.storage = storage
        self.owned = false
    }

    /// An empty view with no storage: what a parameter holds before its arena binds it.
    static var unbound: Tensor { Tensor(view: UnsafeMutableBufferPointer(start: nil, count: 0), shape: [0]) }

    deinit { if owned { storage.deallocate() } }

    package var count: Int { shape.count }

    /// Changes the shape, growing owned storage when needed. Contents are unspecified afterwards.
    package func resize(to newShape: Shape) {
        if newShape.count > storage.count {
            precondition(owned, "Tensor: cannot grow a view from \(shape) to \(newShape)")
            storage.deallocate()
            storage = .allocate(capacity: newShape.count)
            storage.initialize(repeating: 0)
        }
        shape = newShape
    }

    /// Reinterprets the same elements with another shape of equal count.
    package func reshape(to newShape: Shape) {
        precondition(newShape.count == shape.count, "Tensor: cannot reshape \(shape) to \(newShape)")
        shape = newShape
    }

    /// The live elements (`count` of them).
    package var values: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(rebasing: storage[0..<shape.count]) }

    /// Sets every live element to zero.
    package func zero() { values.update(repeating: 0) }

    /// A copy of the live elements.
    package var array: [Float] { Array(values) }

    package subscript(_ i: Int) -> Float {
        get { storage[i] }
        set { storage[i] = newValue }
    }
}
