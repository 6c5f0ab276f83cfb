/// Plain-text tables for `cohort models` and `cohort summary`: columns padded to their widest
/// cell, numbers right-aligned, with thousands separators.
struct TextTable {
    enum Alignment { case left, right }

    let headers: [String]
    let alignments: [Alignment]
    private(set) var rows: [[String]] = []

    init(_ columns: [(header: String, alignment: Alignment)]) {
        headers = columns.map(\.header)
        alignments = columns.map(\.alignment)
    }

    mutating func append(_ row: [String]) {
        precondition(row.count == headers.count, "TextTable: \(row.count) cells for \(headers.count) columns")
        rows.append(row)
    }

    /// The header, a rule, and the rows, each line without trailing spaces.
    func render() -> String {
        let widths = headers.indices.map { column in ([headers] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, zip(widths, alignments)).map { cell, format in
                let padding = String(repeating: " ", count: format.0 - cell.count)
                return format.1 == .left ? cell + padding : padding + cell
            }.joined(separator: "  ").replacing(/\s+$/, with: "")
        }
        let rule = String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1))
        return ([line(headers), rule] + rows.map(line)).joined(separator: "\n")
    }
}

extension Int {
    /// The number with comma thousands separators: 1413834 → "1,413,834".
    var grouped: String {
        let digits = String(magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return self < 0 ? "-" + result : result
    }
}
