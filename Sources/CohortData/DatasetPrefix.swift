import CohortRandom
/// The first `count` samples of another dataset (`--eval-limit`: quick evaluations).
package struct DatasetPrefix: ImageDataset {
    package let base: any ImageDataset
    package let count: Int

    package init(_ base: any ImageDataset, count: Int) {
        self.base = base
        self.count = min(count, base.count)
    }

    package var classNames: [String] { base.classNames }
    package var imageShape: ImageShape { base.imageShape }
    package func label(at index: Int) -> Int { base.label(at: index) }

    package func load(_ index: Int, into out: UnsafeMutableBufferPointer<Float>, augmentation: Augmentation, key: SampleKey) throws {
        precondition(index < count, "DatasetPrefix: sample \(index) beyond the first \(count)")
        try base.load(index, into: out, augmentation: augmentation, key: key)
    }
}

extension DatasetSplits {
    /// These splits with validation and test cut to their first `count` samples (training untouched).
    package func limitingEvaluation(to count: Int) -> DatasetSplits {
        var splits = self
        splits.validation = validation.map { DatasetPrefix($0, count: count) }
        splits.test = test.map { DatasetPrefix($0, count: count) }
        return splits
    }
}
