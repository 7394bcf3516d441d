import FoundationEssentials

/// Renders a `TimeitResult`. One statement: `python -m timeit`'s line, then the
/// median and mean ± standard deviation. Several: a table, fastest first, with each
/// statement's speed relative to the fastest and whether the difference is
/// significant.
public struct TimeitTextReport {
    /// `nsec`, `usec`, `msec` or `sec`; nil picks one as timeit does.
    public var unit: String?

    public init(unit: String? = nil) {
        self.unit = unit
    }

    public func render(_ result: TimeitResult) -> String {
        table(result) + (result.notes ?? []).map { "Note: \($0.escapingControlCharacters())\n" }.joined()
    }

    private func table(_ result: TimeitResult) -> String {
        guard let fastest = result.statements.first else { return "" }
        let unit = unit.flatMap { name in TimeFormat.scale(of: name).map { (name: name, scale: $0) } }
            ?? TimeFormat.unit(for: fastest.statistics.best)
        func time(_ seconds: Double) -> String { TimeFormat.format(seconds, unit: unit) }

        if result.statements.count == 1 {
            let s = fastest.statistics
            return "\(fastest.loops) loop\(fastest.loops == 1 ? "" : "s"), best of \(fastest.repeats): \(time(s.best)) per loop\n"
                + "median \(time(s.median)), mean \(time(s.mean)) ± \(time(s.standardDeviation))\n"
        }

        var rows: [[String]] = [["#", "statement", "loops x repeats", "best", "median", "mean ± std dev", "vs fastest"]]
        for (rank, timing) in result.statements.enumerated() {
            let s = timing.statistics
            rows.append(["\(timing.position)", display(timing.statement), "\(timing.loops) x \(timing.repeats)",
                         time(s.best), time(s.median), "\(time(s.mean)) ± \(time(s.standardDeviation))",
                         comparison(timing, isFastest: rank == 0)])
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var out = result.setup == "pass" ? "" : "setup: \(display(result.setup, limit: 100))\n\n"
        for row in rows {
            let cells = row.enumerated().map { column, text -> String in
                let padding = String(repeating: " ", count: widths[column] - text.count)
                // Text columns are left-aligned, numbers right-aligned.
                return column == 1 || column == 6 ? text + padding : padding + text
            }
            out += cells.joined(separator: "  ").trimmed + "\n"
        }
        return out + "\n" + TimeitTextReport.legend + "\n"
    }

    /// How to read `vs fastest`, under the table.
    public static let legend = "vs fastest: ratio of best times; significant = "
        + Text.format("Mann-Whitney U p < %g over the interleaved repeats", TimeitBenchmark.significanceLevel)
        + Text.format(" and at least %g%% slower", 100 * TimeitBenchmark.minimumDifference)

    func comparison(_ timing: StatementTiming, isFastest: Bool) -> String {
        if isFastest { return "fastest" }
        let ratio = Text.format("%.2fx slower", timing.relative)
        guard let pValue = timing.pValue else { return ratio + " (untested: one repeat)" }
        if timing.significant == true { return ratio }
        if pValue < TimeitBenchmark.significanceLevel {
            return ratio + Text.format(" (not significant: under %g%% slower)", 100 * TimeitBenchmark.minimumDifference)
        }
        return ratio + Text.format(" (not significant, p=%.2f)", pValue)
    }

    func display(_ code: String, limit: Int = 50) -> String {
        let flat = code.replacing("\n", with: " ⏎ ").escapingControlCharacters()
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }
}
