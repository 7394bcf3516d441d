/// Leak results compared: the census totals at the last census, the number of
/// growing types, and each growing type (objects and bytes at the last census,
/// growth per call or second). A type found growing on one side only has no
/// count on the other (the file keeps only growing types), and growth 0 there.
extension LeakReport: ComparableResult {
    public static func comparisonTables(old: LeakReport, new: LeakReport) -> [ComparisonTable] {
        func last(_ values: [Int]) -> Double? { values.last.map(Double.init) }
        let total = ComparisonRow(name: "heap", values: [
            Change(old: last(old.totalCounts), new: last(new.totalCounts)),
            Change(old: last(old.totalBytes), new: last(new.totalBytes)),
            Change(old: Double(old.leaks.count), new: Double(new.leaks.count))])
        func byType(_ report: LeakReport) -> [String: Leak] {
            Dictionary(report.leaks.map { ($0.type, $0) }, uniquingKeysWith: { first, _ in first })
        }
        let before = byType(old), after = byType(new)
        let rows = unionOfKeys(old.leaks.map(\.type), new.leaks.map(\.type)).map { type -> ComparisonRow in
            let a = before[type], b = after[type]
            return ComparisonRow(name: type, values: [
                Change(old: a.flatMap { last($0.counts) }, new: b.flatMap { last($0.counts) }),
                Change(old: a.flatMap { last($0.bytes) }, new: b.flatMap { last($0.bytes) }),
                Change.zeroIfMissing(a?.countGrowth, b?.countGrowth)])
        }
        return [
            ComparisonTable(scope: "total", title: "Heap at the last census", metrics: [
                ComparedMetric("count", .count), ComparedMetric("bytes", .bytes), ComparedMetric("leaks", .count)], rows: [total]),
            ComparisonTable(scope: "type", title: "Growing types", metrics: [
                ComparedMetric("count", .count), ComparedMetric("bytes", .bytes), ComparedMetric("growth", .count)], rows: rows),
        ]
    }

    public static func differences(old: LeakReport, new: LeakReport) -> [String] {
        var notes: [String] = []
        if old.mode != new.mode { notes.append("one run took a census per call, the other per interval: growth is per call in one, per second in the other") }
        if let problem = old.problem { notes.append("the old run could not be fully judged: \(problem)") }
        if let problem = new.problem { notes.append("the new run could not be fully judged: \(problem)") }
        return notes
    }
}
