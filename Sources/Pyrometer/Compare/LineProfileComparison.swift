/// Lines results compared: the whole program, each function, each line; time
/// (in seconds, whatever each file's timer unit) and hits.
extension LineProfile: ComparableResult {
    public static func comparisonTables(old: LineProfile, new: LineProfile) -> [ComparisonTable] {
        struct Function { var time = 0.0, hits = 0.0, place = "", lines: [Int: (time: Double, hits: Double, source: String)] = [:] }
        func functions(_ profile: LineProfile) -> (keys: [SourceKey], byKey: [SourceKey: Function]) {
            var keys: [SourceKey] = [], byKey: [SourceKey: Function] = [:]
            for function in profile.functions {
                let key = SourceKey(function.name, file: function.file)
                if byKey[key] == nil { keys.append(key) }
                var entry = byKey[key] ?? Function(place: "\(key.file):\(function.firstLine)")
                for line in function.lines {
                    let time = Double(line.time) * profile.timerUnit, hits = Double(line.hits)
                    entry.time += time
                    entry.hits += hits
                    let index = line.line - function.firstLine
                    let source = index >= 0 && index < function.source.count ? function.source[index].trimmed : ""
                    let previous = entry.lines[line.line]
                    entry.lines[line.line] = ((previous?.time ?? 0) + time, (previous?.hits ?? 0) + hits, previous?.source ?? source)
                }
                byKey[key] = entry
            }
            return (keys, byKey)
        }
        let before = functions(old), after = functions(new)
        let keys = unionOfKeys(before.keys, after.keys)
        let metrics = [ComparedMetric("time", .seconds), ComparedMetric("hits", .count)]

        var functionRows: [ComparisonRow] = [], lineRows: [ComparisonRow] = []
        for key in keys {
            let was = before.byKey[key], now = after.byKey[key]
            functionRows.append(ComparisonRow(name: key.name, place: (now ?? was)!.place, values: [
                Change.zeroIfMissing(was?.time, now?.time), Change.zeroIfMissing(was?.hits, now?.hits)]))
            let lines = Set((was?.lines.keys).map(Array.init) ?? []).union((now?.lines.keys).map(Array.init) ?? []).sorted()
            for line in lines {
                let a = was?.lines[line], b = now?.lines[line]
                let source = b?.source ?? a?.source ?? ""
                lineRows.append(ComparisonRow(name: "\(key.file):\(line)", place: source.isEmpty ? key.name : "\(key.name): \(source)", values: [
                    Change.zeroIfMissing(a?.time, b?.time), Change.zeroIfMissing(a?.hits, b?.hits)]))
            }
        }
        let total = ComparisonRow(name: "all timed functions", values: [
            Change(old: before.byKey.values.reduce(0) { $0 + $1.time }, new: after.byKey.values.reduce(0) { $0 + $1.time }),
            Change(old: before.byKey.values.reduce(0) { $0 + $1.hits }, new: after.byKey.values.reduce(0) { $0 + $1.hits })])
        return [
            ComparisonTable(scope: "total", title: "Program", metrics: metrics, rows: [total]),
            ComparisonTable(scope: "function", title: "Functions", metrics: metrics, rows: functionRows),
            ComparisonTable(scope: "line", title: "Lines", metrics: metrics, rows: lineRows),
        ]
    }
}
