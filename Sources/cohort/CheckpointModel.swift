import CohortCore
import CohortData
import CohortModels
import CohortTraining

/// Rebuilds the network a checkpoint was saved from and loads its weights (optimizer state ignored).
enum CheckpointModel {
    static func load(_ path: String) throws -> (network: Network, state: CheckpointState) {
        let state = try CheckpointStore.inspect(path: path)
        let network = try ModelZoo.network(named: state.model, classes: state.classes, input: Shape(state.inputShape))
        _ = try CheckpointStore.load(path: path, arena: network.arena, optimizer: nil)
        return (network, state)
    }

    /// How an image file becomes the network's input: IDX-trained models saw whole images scaled
    /// to [0, 1]; ImageFolder-trained ones centre crops normalized with ImageNet statistics.
    static func preprocessing(_ state: CheckpointState) -> (normalization: PixelNormalization, centerFraction: Double) {
        state.datasetIdentity.hasPrefix("idx:") ? (.unit, 1) : (.imageNet, ImageFolderDataset.centerFraction)
    }

    /// The name of class `index` (its number when the checkpoint has no class names).
    static func className(_ state: CheckpointState, _ index: Int) -> String {
        index < state.classNames.count ? state.classNames[index] : String(index)
    }
}
