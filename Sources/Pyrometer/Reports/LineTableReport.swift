import FoundationEssentials

/// Renders a `LineProfile` as line_profiler (`kernprof -l -v`) prints it: the timer
/// unit, then per function its total time, file, name and first line, and the
/// `Line # / Hits / Time / Per Hit / % Time / Line Contents` table.
public struct LineTableReport {
    /// Seconds per unit of the Time and Per Hit columns (line_profiler's `-u`).
    public var outputUnit: Double
    /// Leave out functions that were never run (`-z`).
    public var skipZero: Bool
    /// Colour the table for a terminal (`-r/--rich`): Python syntax in the source
    /// column, the figures in bold cyan, the header in bold.
    public var colors: Bool

    public init(outputUnit: Double = 1e-6, skipZero: Bool = false, colors: Bool = false) {
        self.outputUnit = outputUnit
        self.skipZero = skipZero
        self.colors = colors
    }

    static let figureColor = "1;36"

    static let minimumWidths = (line: 6, hits: 9, time: 12, perHit: 8, percent: 8)

    public func render(_ profile: LineProfile) -> String {
        var out = "Timer unit: \(Self.general(outputUnit)) s\n\n"
        for function in profile.functions where !(skipZero && function.totalHits == 0) {
            out += render(function, timerUnit: profile.timerUnit)
        }
        for note in profile.notes ?? [] { out += "Note: \(note.escapingControlCharacters())\n" }
        return out
    }

    func render(_ function: FunctionTimings, timerUnit: Double) -> String {
        let total = function.totalTime
        let scale = timerUnit / outputUnit
        var out = "Total time: \(Self.general(Double(total) * timerUnit)) s\n"
        out += "File: \(function.file.escapingControlCharacters())\n"
        out += "Function: \(function.name.escapingControlCharacters()) at line \(function.firstLine)\n\n"

        var cells: [Int: (hits: String, time: String, perHit: String, percent: String)] = [:]
        for timing in function.lines {
            let time = Double(timing.time) * scale
            let perHit = timing.hits > 0 ? time / Double(timing.hits) : 0
            cells[timing.line] = (
                hits: Self.fitted("\(timing.hits)", width: Self.minimumWidths.hits) { Self.general(Double(timing.hits)) },
                time: Self.fitted(Self.fixed(time), width: Self.minimumWidths.time) { Self.general(time, digits: 3, width: 5) },
                perHit: Self.fitted(Self.fixed(perHit), width: Self.minimumWidths.perHit) { Self.general(perHit, digits: 3, width: 5) },
                percent: total > 0 ? Self.fixed(100 * Double(timing.time) / Double(total)) : "")
        }
        let widths = (
            line: Self.minimumWidths.line,
            hits: max(Self.minimumWidths.hits, cells.values.map(\.hits.count).max() ?? 0),
            time: max(Self.minimumWidths.time, cells.values.map(\.time.count).max() ?? 0),
            perHit: max(Self.minimumWidths.perHit, cells.values.map(\.perHit.count).max() ?? 0),
            percent: Self.minimumWidths.percent)
        func row(_ a: String, _ b: String, _ c: String, _ d: String, _ e: String, _ text: String, figures: Bool = true) -> String {
            var cells = [Self.pad(b, widths.hits), Self.pad(c, widths.time), Self.pad(d, widths.perHit), Self.pad(e, widths.percent)]
            if colors && figures {
                cells = cells.map { cell in
                    let figure = cell.drop { $0 == " " }
                    return figure.isEmpty ? cell : String(cell.dropLast(figure.count)) + PythonHighlighter.paint(String(figure), Self.figureColor)
                }
            }
            return ([Self.pad(a, widths.line)] + cells).joined(separator: " ") + "  " + text
        }
        let header = row("Line #", "Hits", "Time", "Per Hit", "% Time", "Line Contents", figures: false)
        out += (colors ? PythonHighlighter.paint(header, "1") : header) + "\n" + String(repeating: "=", count: header.count) + "\n"
        // Control characters are escaped before colours are added.
        let plain = function.source.map { $0.escapingControlCharacters() }
        let source = colors ? PythonHighlighter.highlight(plain) : plain

        // The function's source; lines timed beyond it (or with no source at all)
        // still get a row.
        let lastTimed = function.lines.map(\.line).max() ?? function.firstLine
        let lastLine = max(function.firstLine + function.source.count - 1, lastTimed)
        for line in function.firstLine...max(function.firstLine, lastLine) {
            let index = line - function.firstLine
            let text = index >= 0 && index < source.count ? source[index] : ""
            if let cell = cells[line] {
                out += row("\(line)", cell.hits, cell.time, cell.perHit, cell.percent, text) + "\n"
            } else {
                out += row("\(line)", "", "", "", "", text) + "\n"
            }
        }
        return out + "\n"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// `%5.1f`
    static func fixed(_ value: Double) -> String { Text.format("%5.1f", value) }

    /// `%g` (or `%W.Dg`), as Python's %-formatting writes it.
    static func general(_ value: Double, digits: Int = 6, width: Int = 0) -> String {
        Text.format("%\(width > 0 ? "\(width)" : "").\(digits)g", value)
    }

    /// The preferred text, or the compact form when it is wider than the column.
    static func fitted(_ text: String, width: Int, compact: () -> String) -> String {
        text.count > width ? compact() : text
    }
}
