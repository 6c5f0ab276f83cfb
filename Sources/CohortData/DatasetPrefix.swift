/// The first `count` samples of another dataset (`--eval-limit`: quick evaluations).
public struct DatasetPrefix: ImageDataset {
    public let base: any ImageDataset
    public let count: Int

    public init(_ base: any ImageDataset, count: Int) {
        self.base = base
        self.count = min(count, base.count)
    }

    public var classNames: [String] { base.classNames }
    public var imageShape: ImageShape { base.imageShape }
    public func label(at index: Int) -> Int { base.label(at: index) }

    public func load(_ index: Int, into out: UnsafeMutableBufferPointer<Float>, augmentation: Augmentation, key: SampleKey) throws {
        precondition(index < count, "DatasetPrefix: sample \(index) beyond the first \(count)")
        try base.load(index, into: out, augmentation: augmentation, key: key)
    }
}

extension DatasetSplits {
    /// These splits with validation and test cut to their first `count` samples (training untouched).
    public func limitingEvaluation(to count: Int) -> DatasetSplits {
        var splits = self
        splits.validation = validation.map { DatasetPrefix($0, count: count) }
        splits.test = test.map { DatasetPrefix($0, count: count) }
        return splits
    }
}
