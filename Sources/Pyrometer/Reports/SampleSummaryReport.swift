import FoundationEssentials

/// The terminal summary of a `SampleProfile`: how it was measured (samples taken
/// against expected, dropped by reason), the functions with the most samples of
/// their own and in total, and the hottest lines.
public struct SampleSummaryReport {
    /// Rows per table.
    public var top: Int

    public init(top: Int = 15) {
        self.top = top
    }

    static func percent(_ part: Int64, of whole: Int64) -> String {
        whole > 0 ? Text.format("%.1f%%", Double(part) * 100 / Double(whole)) : "-"
    }

    static func count(_ value: Int64) -> String {
        var digits = Array(String(value.magnitude))
        var out: [Character] = []
        while digits.count > 3 {
            out.insert(contentsOf: [","] + digits.suffix(3), at: 0)
            digits.removeLast(3)
        }
        return (value < 0 ? "-" : "") + String(digits + out)
    }

    static func place(_ file: String, _ line: Int) -> String {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        return line > 0 ? "\(name):\(line)" : name
    }

    public func render(_ profile: SampleProfile) -> String {
        let totals = SampleTotals(profile)
        let samples = totals.samples
        let rate = Text.format("%g", profile.rate)
        let asked = profile.requestedRate != profile.rate ? " (asked for \(Text.format("%g", profile.requestedRate)) Hz)" : ""
        var out = "pyrometer sample: \(profile.mode) mode\(profile.idle && profile.mode != "wall" ? " with idle threads" : ""), \(rate) Hz\(asked), Python \(profile.python)\n"
        out += "Samples: \(Self.count(profile.samplesTaken)) taken of \(Self.count(profile.samplesExpected)) expected"
        if profile.samplesExpected > 0 { out += " (\(Self.percent(profile.samplesTaken, of: profile.samplesExpected)))" }
        out += ", over \(Text.format("%.2f", profile.duration)) s, \(profile.threads.count) thread\(profile.threads.count == 1 ? "" : "s")\n"
        let dropped = profile.samplesDropped.values.reduce(0, +)
        let reasons = profile.samplesDropped.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.count($0.value))" }.joined(separator: ", ")
        out += "Dropped: \(Self.count(dropped)) (\(reasons))\n"
        for note in profile.notes ?? [] { out += "Note: \(note)\n" }
        guard samples > 0 else { return out + "\nNo samples: the program ran too briefly or ran no Python.\n" }

        var functionRows: [[String]] = [["Own", "Own %", "Total", "Total %", "Function", "Where"]]
        for function in totals.functions.prefix(top) {
            functionRows.append([Self.count(function.own), Self.percent(function.own, of: samples),
                                 Self.count(function.total), Self.percent(function.total, of: samples),
                                 function.function, Self.place(function.file, function.firstLine)])
        }
        out += "\nTop functions (own: innermost frame; total: anywhere on the stack)\n"
        out += Self.table(functionRows, textColumns: [4, 5])

        var lineRows: [[String]] = [["Samples", "%", "Line", "Function", "Source"]]
        for line in totals.lines.prefix(top) {
            let source = profile.sources[line.file].flatMap { line.line >= 1 && line.line <= $0.count ? $0[line.line - 1].trimmed : nil }
                ?? SourceText.lines(of: line.file, from: line.line, to: line.line).first?.trimmed ?? ""
            lineRows.append([Self.count(line.samples), Self.percent(line.samples, of: samples), Self.place(line.file, line.line),
                             line.function, source.count > 60 ? String(source.prefix(57)) + "..." : source])
        }
        out += "\nHottest lines\n"
        out += Self.table(lineRows, textColumns: [2, 3, 4])
        return out
    }

    static func table(_ rows: [[String]], textColumns: Set<Int>) -> String {
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var out = ""
        for row in rows {
            let cells = row.enumerated().map { column, text -> String in
                let padding = String(repeating: " ", count: widths[column] - text.count)
                return textColumns.contains(column) ? text + padding : padding + text
            }
            var line = "  " + cells.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
