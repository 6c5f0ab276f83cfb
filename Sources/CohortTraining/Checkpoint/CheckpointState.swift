import CohortCore

/// Everything about a run that a checkpoint stores besides tensors, as its `__metadata__`.
/// Each field is stored under its own key as a JSON-encoded string, so Python reads it with `json.loads`.
public struct CheckpointState: Codable, Equatable, Sendable {
    public static let currentFormat = 1

    public var formatVersion = CheckpointState.currentFormat
    public var cohortVersion = CohortVersion.string
    /// Zoo name and constructor arguments.
    public var model: String
    public var classes: Int
    public var inputShape: [Int]
    public var classNames: [String]
    public var datasetIdentity: String
    /// Position: the next step to run is step `stepInEpoch` of epoch `epoch` (0-based).
    public var epoch: Int
    public var stepInEpoch: Int
    public var globalStep: Int
    public var worldSize: Int
    public var globalBatch: Int
    public var seed: UInt64
    public var optimizer: String
    public var optimizerSteps: Int
    public var plateau: ReduceOnPlateau
    /// Best validation accuracy so far and epochs since it improved (early stopping).
    public var bestAccuracy: Double?
    public var epochsWithoutImprovement: Int
    /// Metrics of the last completed epoch.
    public var metrics: [String: Double]
    /// Every completed epoch's metrics, so the log and curves continue across a resume.
    public var history: [[String: Double]]
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
