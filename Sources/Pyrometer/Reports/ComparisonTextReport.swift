/// The terminal table of a `Comparison`: each table's rows, largest change
/// first, with old, new and change for each metric, significance where the
/// results allow it, and what each `--fail-if` condition found.
public struct ComparisonTextReport {
    /// Rows per detail table (the totals are shown whole).
    public var top: Int

    public init(top: Int = 10) {
        self.top = top
    }

    static let rowNames = ["total": "", "function": "Function", "line": "Line", "statement": "Statement", "type": "Type", "top": "Line"]
    static let placeNames = ["function": "Where", "line": "Function: source", "top": "Function"]

    public func render(_ comparison: Comparison) -> String {
        var out = "pyrometer compare: \(comparison.compared), \(comparison.old.escapingControlCharacters()) -> \(comparison.new.escapingControlCharacters())\n"
        for note in comparison.notes ?? [] { out += "Note: \(note)\n" }
        for table in comparison.tables {
            out += "\n" + render(table)
        }
        if !comparison.conditions.isEmpty {
            out += "\nConditions\n"
            let width = comparison.conditions.map { $0.condition.escapingControlCharacters().count }.max() ?? 0
            for outcome in comparison.conditions {
                let rows = "\(outcome.checked) row\(outcome.checked == 1 ? "" : "s") checked"
                out += "  \(outcome.passed ? "pass" : "FAIL")  \(outcome.condition.escapingControlCharacters().padded(to: width))  (\(outcome.passed ? rows : "\(outcome.failures.count) of \(rows)"))\n"
                for failure in outcome.failures.prefix(5) { out += "          \(failure.escapingControlCharacters())\n" }
                if outcome.failures.count > 5 { out += "          ... and \(outcome.failures.count - 5) more\n" }
            }
            let failed = comparison.conditions.filter { !$0.passed }.count
            out += failed == 0 ? "All \(comparison.conditions.count) condition\(comparison.conditions.count == 1 ? "" : "s") held.\n"
                : "\(failed) of \(comparison.conditions.count) condition\(comparison.conditions.count == 1 ? "" : "s") failed.\n"
        }
        return out
    }

    func render(_ table: ComparisonTable) -> String {
        let isTotal = table.scope == "total"
        let shown = isTotal ? table.rows : Array(table.rows.prefix(top))
        guard !shown.isEmpty else { return "\(table.title): none in either result\n" }
        let tested = table.metrics.indices.first { column in table.rows.contains { $0.values[column].pValue != nil } }
        let hasPlace = table.rows.contains { $0.place != nil }

        var header: [String] = []
        for metric in table.metrics {
            let name = metric.name.prefix(1).uppercased() + metric.name.dropFirst()
            header += ["\(name) old", "\(name) new", "Change"]
        }
        if tested != nil { header.append("Significance") }
        let rowName = Self.rowNames[table.scope] ?? table.scope.capitalizedFirst
        if !isTotal { header.append(rowName) }
        if hasPlace { header.append(Self.placeNames[table.scope] ?? "Where") }

        var rows = [header]
        for row in shown {
            var cells: [String] = []
            for (metric, value) in zip(table.metrics, row.values) {
                cells += [ChangeFormat.value(value.old, metric.quantity), ChangeFormat.value(value.new, metric.quantity),
                          ChangeFormat.change(value, metric.quantity)]
            }
            if let tested {
                let value = row.values[tested]
                cells.append(value.pValue.map { "p=\(Text.format("%.2g", $0)), \(value.significant == true ? "significant" : "not significant")" } ?? "")
            }
            if !isTotal { cells.append(row.name.escapingControlCharacters()) }
            if hasPlace { cells.append(Self.shortened(row.place ?? "").escapingControlCharacters()) }
            rows.append(cells)
        }
        var out = "\(table.title)\(isTotal ? "" : " (by change of \(table.metrics[0].name))")\n"
        out += Self.table(rows, textFrom: table.metrics.count * 3)
        if table.rows.count > shown.count {
            out += "  ... \(table.rows.count - shown.count) more (--top)\n"
        }
        return out
    }

    static func shortened(_ text: String) -> String {
        text.count > 60 ? String(text.prefix(57)) + "..." : text
    }

    /// Numbers right-aligned, text (from column `textFrom` on) left-aligned.
    static func table(_ rows: [[String]], textFrom: Int) -> String {
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var out = ""
        for row in rows {
            let cells = row.enumerated().map { column, text -> String in
                let padding = String(repeating: " ", count: widths[column] - text.count)
                return column >= textFrom ? text + padding : padding + text
            }
            var line = "  " + cells.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
