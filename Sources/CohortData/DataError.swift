/// Every failure of the data pipeline. Messages name the file (or directory) involved and say what is wrong.
package enum DataError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// The file exists but is empty.
    case emptyFile(path: String)
    /// An IDX file whose content does not match its format (magic, dimensions, size, labels).
    case badIDX(path: String, reason: String)
    /// Image and label files disagree in sample count.
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    /// An image file that could not be decoded (corrupt, truncated, not an image).
    case badImage(path: String, reason: String)
    /// An image whose header claims more pixels than the configured limit.
    case imageTooLarge(path: String, width: Int, height: Int, limit: Int)
    /// A dataset directory whose layout is not IDX nor ImageFolder, or is inconsistent.
    case badLayout(path: String, reason: String)
    /// A class folder without any image.
    case emptyClass(path: String)
    /// `val/` (or `test/`) classes differ from `train/` classes.
    case classMismatch(train: String, other: String, onlyInTrain: [String], onlyInOther: [String])
    /// An invalid option value (augmentation list, holdout, limit, batch size ...).
    case invalidOption(String)
    /// Writing an output file failed.
    case unwritable(path: String, reason: String)
    /// A sample of a packed dataset whose bytes are missing (truncated shard) or fail their checksum.
    case damagedSample(shard: String, sample: Int, source: String, reason: String)

    package var description: String {
        switch self {
        case let .unreadable(path, reason): return "\(path): cannot read: \(reason)"
        case let .emptyFile(path): return "\(path): file is empty (0 bytes)"
        case let .badIDX(path, reason): return "\(path): not a valid IDX file: \(reason)"
        case let .countMismatch(images, n, labels, m):
            return "\(images) has \(n) images but \(labels) has \(m) labels; the counts must agree"
        case let .badImage(path, reason): return "\(path): cannot decode image: \(reason)"
        case let .imageTooLarge(path, w, h, limit):
            return "\(path): image claims \(w)x\(h) = \(w * h) pixels, above the limit of \(limit) pixels"
        case let .badLayout(path, reason): return "\(path): \(reason)"
        case let .emptyClass(path): return "\(path): class folder contains no .jpg/.jpeg/.png image"
        case let .classMismatch(train, other, onlyTrain, onlyOther):
            var parts: [String] = []
            if !onlyTrain.isEmpty { parts.append("only in \(train): \(onlyTrain.joined(separator: ", "))") }
            if !onlyOther.isEmpty { parts.append("only in \(other): \(onlyOther.joined(separator: ", "))") }
            return "\(other): classes differ from \(train) (\(parts.joined(separator: "; ")))"
        case let .invalidOption(message): return message
        case let .unwritable(path, reason): return "\(path): cannot write: \(reason)"
        case let .damagedSample(shard, sample, source, reason):
            return "\(shard): damaged sample \(sample) (\(source)): \(reason)"
        }
    }
}
