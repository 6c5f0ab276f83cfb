import CohortCore

/// Everything about a run that a checkpoint stores besides tensors, as its `__metadata__`.
/// Each field is stored under its own key as a JSON-encoded string, so Python reads it with `json.loads`.
package struct CheckpointState: Codable, Equatable, Sendable {
    package static let currentFormat = 1

    package var formatVersion = CheckpointState.currentFormat
    package var cohortVersion = CohortVersion.string
    /// Zoo name and constructor arguments.
    package var model: String
    package var classes: Int
    package var inputShape: [Int]
    package var classNames: [String]
    package var datasetIdentity: String
    /// Position: the next step to run is step `stepInEpoch` of epoch `epoch` (0-based).
    package var epoch: Int
    package var stepInEpoch: Int
    package var globalStep: Int
    package var worldSize: Int
    package var globalBatch: Int
    package var seed: UInt64
    package var optimizer: String
    package var optimizerSteps: Int
    package var plateau: ReduceOnPlateau
    /// Best validation accuracy so far and epochs since it improved (early stopping).
    package var bestAccuracy: Double?
    package var epochsWithoutImprovement: Int
    /// Metrics of the last completed epoch.
    package var metrics: [String: Double]
    /// Every completed epoch's metrics, so the log and curves continue across a resume.
    package var history: [[String: Double]]
    /// Epochs the run was started for, and steps per epoch (for `cohort status`; absent in older files).
    package var epochs: Int?
    package var stepsPerEpoch: Int?
}

extension CheckpointState {
    /// JSON coders that also carry NaN and infinities (as strings), which metrics can hold.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// The metadata map: one key per field, each value JSON.
    func metadata(checksum: UInt32) throws -> [String: String] {
        let data = try Self.encoder.encode(self)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        var map: [String: String] = [:]
        for (key, value) in object {
            let encoded = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
            map[key] = String(decoding: encoded, as: UTF8.self)
        }
        map["checksum"] = String(checksum, radix: 16)
        return map
    }

    /// Rebuilds the state from a metadata map written by `metadata(checksum:)`.
    init(metadata: [String: String], path: String) throws {
        var object: [String: Any] = [:]
        for (key, value) in metadata where key != "checksum" {
            object[key] = try? JSONSerialization.jsonObject(with: Data(value.utf8), options: [.fragmentsAllowed])
        }
        guard let format = object["formatVersion"] as? Int else {
            throw CheckpointError.corrupt(path: path, reason: "no formatVersion in __metadata__ (not a Cohort checkpoint)")
        }
        guard format <= CheckpointState.currentFormat else {
            throw CheckpointError.corrupt(path: path, reason: "format version \(format) is newer than this Cohort understands (\(CheckpointState.currentFormat))")
        }
        do {
            self = try Self.decoder.decode(CheckpointState.self, from: JSONSerialization.data(withJSONObject: object))
        } catch {
            throw CheckpointError.corrupt(path: path, reason: "__metadata__ is incomplete: \(error)")
        }
    }
}

import Foundation
