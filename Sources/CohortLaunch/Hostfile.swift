/// The hosts of an Open MPI hostfile: one host per line (`10.0.0.1 slots=2` or a bare name),
/// `#` starts a comment, blank lines are skipped. Slot counts are ignored: the launcher decides
/// how many ranks each host runs (`--ranks-per-host`).
package enum Hostfile {
    /// The hosts of `text` in file order, each once; `file` names the file in errors.
    package static func hosts(parsing text: String, file: String) throws -> [String] {
        var hosts: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard let host = content.split(whereSeparator: \.isWhitespace).first.map(String.init) else { continue }
            if !hosts.contains(host) { hosts.append(host) }
        }
        guard !hosts.isEmpty else { throw LaunchError("hostfile \(file) names no hosts") }
        return hosts
    }

    /// A hostfile giving each of `hosts` `slots` slots, so that Open MPI maps rank r to host r / slots.
    package static func text(hosts: [String], slots: Int) -> String {
        hosts.map { "\($0) slots=\(slots)\n" }.joined()
    }
}
