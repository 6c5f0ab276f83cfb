import CohortRandom
/// Checks, before step 1, that every rank runs the same configuration.
package struct RankAgreement {
    /// Allgathers a hash of `fields` (name and value, in order). On mismatch allgathers the fields
    /// themselves and throws a `DistributedError` naming each differing field with every rank's
    /// value and the ranks that differ from rank 0. Every rank throws the same error.
    package static func verify(fields: [(name: String, value: String)], communicator: any Communicator) throws {
        let encoded = encode(fields)
        var hash = fnv1a(encoded)
        let hashes = try communicator.allgather(withUnsafeBytes(of: &hash) { Array($0) })
        guard Set(hashes).count > 1 else { return }
        let all = try communicator.allgather(encoded).map(decode)
        let differingRanks = (0..<all.count).filter { hashes[$0] != hashes[0] }
        var names: [String] = []
        for table in all {
            for field in table where !names.contains(field.name) { names.append(field.name) }
        }
        var lines: [String] = []
        for name in names {
            let values = all.map { table in table.first { $0.name == name }?.value }
            guard Set(values).count > 1 else { continue }
            let perRank = values.enumerated().map { "rank \($0.offset)=\($0.element ?? "<missing>")" }
            lines.append("field '\(name)' differs: " + perRank.joined(separator: ", "))
        }
        let ranksText = differingRanks.map(String.init).joined(separator: ", ")
        throw DistributedError(rank: communicator.rank, call: "RankAgreement",
                               message: "configuration differs between ranks (ranks \(ranksText) differ from rank 0): "
                                   + lines.joined(separator: "; "),
                               ranks: differingRanks)
    }

    /// Length-prefixed UTF-8 encoding of the field list (unambiguous whatever the contents).
    static func encode(_ fields: [(name: String, value: String)]) -> [UInt8] {
        var bytes: [UInt8] = []
        for text in fields.flatMap({ [$0.name, $0.value] }) {
            var length = UInt32(text.utf8.count).littleEndian
            withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: text.utf8)
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> [(name: String, value: String)] {
        var texts: [String] = []
        var index = 0
        while index + 4 <= bytes.count {
            let length = bytes[index..<index + 4].reversed().reduce(0) { $0 << 8 | Int($1) }
            index += 4
            let end = min(bytes.count, index + length)
            texts.append(String(decoding: bytes[index..<end], as: UTF8.self))
            index = end
        }
        return stride(from: 0, to: texts.count - 1, by: 2).map { (texts[$0], texts[$0 + 1]) }
    }
}
