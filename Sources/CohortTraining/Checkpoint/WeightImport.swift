import CohortCore
import Foundation

/// `--init-from`: a new run's starting weights (parameters and BatchNorm buffers) from a Cohort
/// checkpoint or a plain safetensors state dict with the names Cohort uses (the torchvision names
/// for the ResNets), matched by name. Optimizer state, schedule and sampler are not read.
///
/// Checked before anything is used: a Cohort checkpoint's checksum, every tensor's dtype (F32),
/// shape and values (finite). A classifier whose shape differs (1000 → K classes), or whose classes
/// are others than the dataset's (a Cohort checkpoint records its class names), keeps its fresh
/// initialization; any other differing shape is an error naming the first differences. Names the
/// model has and the file lacks (missing) or the file has and the model lacks (unexpected) are
/// errors unless `strict` is false; optimizer slots (`optimizer.*`) and PyTorch's BatchNorm
/// counters (`*.num_batches_tracked`) are not weights and are skipped.
package enum WeightImport {
    /// What an import did.
    package struct Report: Sendable {
        /// Tensors loaded from the file.
        package var loaded = 0
        /// Classifier tensors kept at their fresh initialization: name, shape in the file, shape in the model.
        package var reinitialized: [(name: String, file: [Int], model: [Int])] = []
        /// The file's class names when they are not the dataset's (the classifier was re-initialized for that).
        package var otherClasses: [String]?
        /// Model tensors the file lacks (kept at their initialization; only when not strict).
        package var missing: [String] = []
        /// File tensors the model lacks (ignored; only when not strict).
        package var unexpected: [String] = []

        /// One line for the run's log.
        package func summary(path: String) -> String {
            var line = "initialized from \(path): \(loaded) tensors"
            if let otherClasses {
                line += "; re-initialized the classifier, whose classes in the file (\(WeightImport.list(otherClasses))) are not this dataset's"
            } else if !reinitialized.isEmpty {
                line += "; re-initialized the classifier (" + reinitialized.map { "\($0.name) \($0.model), file has \($0.file)" }.joined(separator: "; ") + ")"
            }
            if !missing.isEmpty { line += "; \(missing.count) missing, kept at their initialization: " + WeightImport.list(missing) }
            if !unexpected.isEmpty { line += "; \(unexpected.count) in the file ignored: " + WeightImport.list(unexpected) }
            return line
        }
    }

    /// Reads the weights of `path` into `network`'s arena (already initialized from the seed).
    /// - Parameter classNames: the dataset's classes, compared with a Cohort checkpoint's.
    package static func load(path: String, into network: Network, classNames: [String]? = nil, strict: Bool) throws -> Report {
        let source = try FileSource(path: path)
        let header = try SafeTensors.readHeader(path: path, source: source)
        var report = Report()
        if header.metadata["checksum"] != nil {
            try CheckpointStore.verifyChecksum(path: path, source: source, tensors: header.tensors, expected: header.metadata["checksum"])
            let saved = try CheckpointState(metadata: header.metadata, path: path).classNames
            if let classNames, saved != classNames { report.otherClasses = saved }
        }
        let arena = network.arena
        let model = arena.trainable + arena.buffers
        let classifier = network.classifier.isEmpty ? "" : network.classifier + "."
        var differing: [String] = []
        var reads: [(values: UnsafeMutableBufferPointer<Float>, located: SafeTensors.Located, name: String)] = []
        for (name, parameter) in model {
            guard let located = header.tensors[name] else {
                report.missing.append(name)
                continue
            }
            let shape = parameter.shape.dims
            if !classifier.isEmpty && name.hasPrefix(classifier) && (located.shape != shape || report.otherClasses != nil) {
                report.reinitialized.append((name, located.shape, shape))
                continue
            }
            if located.shape != shape {
                differing.append("\(name): file \(located.shape), model \(shape)")
                continue
            }
            guard located.dtype == "F32" else {
                throw CheckpointError.mismatch(path: path, reason: "tensor '\(name)' is \(located.dtype); --init-from reads F32 tensors (convert with .float() first)")
            }
            reads.append((parameter.value.values, located, name))
        }
        let names = Set(model.map(\.name))
        report.unexpected = header.tensors.keys.filter { !names.contains($0) && !$0.hasPrefix("optimizer.") && !$0.hasSuffix(".num_batches_tracked") }.sorted()
        if !differing.isEmpty {
            throw CheckpointError.mismatch(path: path, reason: "\(differing.count) tensors have other shapes than in this model: "
                                           + differing.prefix(5).joined(separator: "; "))
        }
        if strict && !(report.missing.isEmpty && report.unexpected.isEmpty) {
            var parts: [String] = []
            if !report.missing.isEmpty { parts.append("\(report.missing.count) model tensors are not in the file: " + list(report.missing)) }
            if !report.unexpected.isEmpty { parts.append("\(report.unexpected.count) file tensors are not in the model: " + list(report.unexpected)) }
            throw CheckpointError.mismatch(path: path, reason: parts.joined(separator: "; ") + " (--init-strict false loads the rest)")
        }
        for read in reads {
            try source.read(into: UnsafeMutableRawBufferPointer(read.values), at: read.located.byteRange.lowerBound)
            if let bad = read.values.firstIndex(where: { !$0.isFinite }) {
                throw CheckpointError.corrupt(path: path, reason: "tensor '\(read.name)' holds \(read.values[bad]) at element \(bad)")
            }
        }
        report.loaded = reads.count
        return report
    }

    /// The first few names of a list, and how many more.
    static func list(_ names: [String]) -> String {
        names.prefix(4).joined(separator: ", ") + (names.count > 4 ? ", … (\(names.count - 4) more)" : "")
    }
}
