import CohortCore
import CohortDistributed
import Foundation

extension Trainer {
    /// Rank 0 initializes from the seed (then from `--init-from`'s weights) or loads a checkpoint to
    /// resume; then parameters, buffers, optimizer state and the run state are broadcast so every
    /// replica starts identical.
    func start(resume: String?) throws {
        var encodedState: [UInt8] = []
        if communicator.rank == 0 {
            if let path = try resumePath(resume) {
                let loaded = try CheckpointStore.load(path: path, arena: network.arena, optimizer: optimizer)
                try checkCompatible(loaded, path: path)
                state = loaded
                state.worldSize = communicator.size
                optimizer.stepCount = loaded.optimizerSteps
                note("resumed from \(path): epoch \(loaded.epoch + 1), step \(loaded.stepInEpoch) of it, global step \(loaded.globalStep)"
                     + (loaded.worldSize != communicator.size ? " (saved by \(loaded.worldSize) ranks, now \(communicator.size))" : ""))
            } else {
                network.arena.initialize(seed: configuration.seed)
                if let initFrom = configuration.initFrom {
                    let report = try WeightImport.load(path: initFrom, into: network, classNames: data.train.classNames,
                                                          strict: configuration.initStrict)
                    note(report.summary(path: initFrom))
                }
            }
            encodedState = Array(try CheckpointState.encoder.encode(state))
        }
        var length = Int64(encodedState.count)
        try withUnsafeMutableBytes(of: &length) { try communicator.broadcast($0, root: 0) }
        if communicator.rank != 0 { encodedState = [UInt8](repeating: 0, count: Int(length)) }
        try encodedState.withUnsafeMutableBytes { try communicator.broadcast($0, root: 0) }
        state = try CheckpointState.decoder.decode(CheckpointState.self, from: Data(encodedState))
        optimizer.stepCount = state.optimizerSteps
        for buffer in [network.arena.values, network.arena.bufferValues] + optimizer.slots.map(\.values) {
            try communicator.broadcast(UnsafeMutableRawBufferPointer(buffer), root: 0)
        }
    }

    /// The checkpoint to resume from: a given path, or the newest valid one for "auto" (nil if none yet).
    private func resumePath(_ resume: String?) throws -> String? {
        guard let resume else { return nil }
        guard resume == "auto" else { return resume }
        guard let store else { throw TrainingError.invalidConfiguration("--resume auto needs --checkpoint-dir") }
        guard let found = store.newestValid() else {
            note("--resume auto: no valid checkpoint in \(store.directory) yet, starting from scratch")
            return nil
        }
        return found.path
    }

    private func checkCompatible(_ loaded: CheckpointState, path: String) throws {
        let pairs: [(String, String, String)] = [
            ("model", loaded.model, configuration.model),
            ("input shape", "\(loaded.inputShape)", "\(network.inputShape.dims)"),
            ("classes", "\(loaded.classes)", "\(network.outputShape.count)"),
            ("global batch size (× --accumulate)", "\(loaded.globalBatch)", "\(configuration.effectiveBatch)"),
            ("seed", "\(loaded.seed)", "\(configuration.seed)"),
            ("optimizer", loaded.optimizer, optimizer.kind),
            ("class names", loaded.classNames.joined(separator: ","), data.train.classNames.joined(separator: ",")),
        ]
        for (field, saved, current) in pairs where saved != current {
            throw TrainingError.resumeMismatch(path: path, field: field, checkpoint: saved, run: current)
        }
        if loaded.datasetIdentity != data.identity {
            // Same classes, other samples: a bad file was removed or files were added since the checkpoint.
            note("the dataset changed since \(path) (\(loaded.datasetIdentity) → \(data.identity)): "
                 + "the sample order from here on differs from the run that wrote it")
        }
    }
}
