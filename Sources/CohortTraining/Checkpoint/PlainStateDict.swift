import CohortCore
import Foundation

/// `cohort export --format safetensors-plain`: a network's parameters and buffers as a safetensors
/// state dict with no `__metadata__` and no optimizer state — what `safetensors.torch.load_file`
/// followed by `model.load_state_dict` expects (the ResNets carry torchvision's names; PyTorch's
/// BatchNorm fills in the `num_batches_tracked` counters it lacks), and what `--init-from` reads.
package enum PlainStateDict {
    /// Writes `arena`'s parameters and buffers to `path` (a temporary file, fsync, rename); returns
    /// how many tensors and bytes it wrote.
    package static func write(_ arena: ParameterArena, to path: String) throws -> (tensors: Int, bytes: Int) {
        let entries = CheckpointStore.entries(arena: arena, optimizer: nil)
            .map { SafeTensors.Entry(name: $0.name, shape: $0.shape, values: UnsafeBufferPointer($0.values)) }
        let temporary = path + ".tmp"
        do {
            let sink = try FileSink(creating: temporary)
            try SafeTensors.write(entries: entries, metadata: [:], to: sink)
            try sink.sync()
        }
        guard rename(temporary, path) == 0 else { throw CheckpointError.io(path: path, operation: "rename", errno: errno) }
        let header = try SafeTensors.header(entries: entries, metadata: [:])
        return (entries.count, 8 + header.bytes.count + header.dataBytes)
    }
}
