import Glibc

/// Timeit results compared statement by statement (matched by their text):
/// best and median time per loop, with timeit's Mann–Whitney U test on the
/// repeats when both sides have more than one.
extension TimeitResult: ComparableResult {
    public static func comparisonTables(old: TimeitResult, new: TimeitResult) -> [ComparisonTable] {
        func byStatement(_ result: TimeitResult) -> [String: StatementTiming] {
            Dictionary(result.statements.map { ($0.statement, $0) }, uniquingKeysWith: { first, _ in first })
        }
        let before = byStatement(old), after = byStatement(new)
        let order = unionOfKeys(old.statements.sorted { $0.position < $1.position }.map(\.statement),
                                new.statements.sorted { $0.position < $1.position }.map(\.statement))
        let rows = order.map { statement -> ComparisonRow in
            let a = before[statement], b = after[statement]
            var pValue: Double?, significant: Bool?
            if let a, let b, a.times.count > 1, b.times.count > 1 {
                let p = MannWhitney.test(a.times, b.times).pValue
                let ratio = b.statistics.best / a.statistics.best
                let size = ratio > 0 && ratio.isFinite ? max(ratio, 1 / ratio) : .infinity
                pValue = p
                significant = p < TimeitBenchmark.significanceLevel && size >= 1 + TimeitBenchmark.minimumDifference
            }
            let name = statement.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "; ")
            return ComparisonRow(name: name, values: [
                Change(old: a?.statistics.best, new: b?.statistics.best, pValue: pValue, significant: significant),
                Change(old: a?.statistics.median, new: b?.statistics.median, pValue: pValue, significant: significant)])
        }
        return [ComparisonTable(scope: "statement", title: "Statements", metrics: [
            ComparedMetric("time", .seconds), ComparedMetric("median", .seconds)], rows: rows)]
    }

    public static func differences(old: TimeitResult, new: TimeitResult) -> [String] {
        var notes: [String] = []
        if old.timer != new.timer { notes.append("the runs used different timers: \(old.timer) (old), \(new.timer) (new)") }
        if old.setup != new.setup { notes.append("the runs had different setup code") }
        if old.gcEnabled != new.gcEnabled { notes.append("garbage collection was on in one run only (--gc)") }
        return notes
    }
}
