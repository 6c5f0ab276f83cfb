import CohortRandom
/// A random-access labelled image dataset whose samples are written as normalized float CHW.
package protocol ImageDataset: Sendable {
    /// Number of samples.
    var count: Int { get }
    /// Class names; label `k` is `classNames[k]`.
    var classNames: [String] { get }
    /// Shape of what `load` writes.
    var imageShape: ImageShape { get }
    /// The label of sample `index` (no decoding).
    func label(at index: Int) -> Int
    /// Writes sample `index` (normalized float CHW, `imageShape.count` floats) into `out`, with the augmentation
    /// randomness drawn from `key` (seed, epoch, global index) — never from thread or rank.
    func load(_ index: Int, into out: UnsafeMutableBufferPointer<Float>, augmentation: Augmentation, key: SampleKey) throws
}

/// A dataset that can be cut to some of its samples (holdout, limit, skipped files).
package protocol SampleSubsetting {
    /// The samples at `positions`, in that order.
    func subset(_ positions: [Int]) -> Self
}

/// The splits of an opened dataset.
package struct DatasetSplits: Sendable {
    package var train: any ImageDataset
    package var validation: (any ImageDataset)?
    package var test: (any ImageDataset)?
    /// Kind, split sizes, shape and class list: goes into the cross-rank config hash and checkpoints.
    package var identity: String
    /// Human-readable warnings produced while opening (e.g. files skipped under `skipBad`); empty when clean.
    package var warnings: [String]

    package init(train: any ImageDataset, validation: (any ImageDataset)?, test: (any ImageDataset)?,
                identity: String, warnings: [String] = []) {
        self.train = train
        self.validation = validation
        self.test = test
        self.identity = identity
        self.warnings = warnings
    }
}
