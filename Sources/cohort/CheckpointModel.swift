import CohortCore
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
}
