/// Memory results compared: the peaks and totals, each line of the chosen
/// functions (increment, runs), and the lines holding most at the peak.
extension MemoryProfile: ComparableResult {
    public static func comparisonTables(old: MemoryProfile, new: MemoryProfile) -> [ComparisonTable] {
        let total = ComparisonRow(name: "program", values: [
            Change(old: Double(old.peakTraced), new: Double(new.peakTraced)),
            Change(old: Double(old.peakResident), new: Double(new.peakResident)),
            Change(old: Double(old.finalTraced), new: Double(new.finalTraced)),
            Change(old: Double(old.allocations), new: Double(new.allocations))])

        struct LineKey: Hashable { var function: SourceKey, line: Int }
        func lines(_ profile: MemoryProfile) -> (keys: [LineKey], byKey: [LineKey: (increment: Double, runs: Double, source: String)]) {
            var keys: [LineKey] = [], byKey: [LineKey: (increment: Double, runs: Double, source: String)] = [:]
            for function in profile.functions {
                for line in function.lines {
                    let key = LineKey(function: SourceKey(function.name, file: function.file), line: line.line)
                    let index = line.line - function.firstLine
                    let source = index >= 0 && index < function.source.count ? function.source[index].trimmed : ""
                    if let previous = byKey[key] {
                        byKey[key] = (previous.increment + Double(line.increment), previous.runs + Double(line.occurrences), previous.source)
                    } else {
                        keys.append(key)
                        byKey[key] = (Double(line.increment), Double(line.occurrences), source)
                    }
                }
            }
            return (keys, byKey)
        }
        let before = lines(old), after = lines(new)
        let lineRows = unionOfKeys(before.keys, after.keys).map { key -> ComparisonRow in
            let a = before.byKey[key], b = after.byKey[key]
            let source = b?.source ?? a?.source ?? ""
            return ComparisonRow(name: "\(key.function.file):\(key.line)", place: source.isEmpty ? key.function.name : "\(key.function.name): \(source)",
                                 values: [Change.zeroIfMissing(a?.increment, b?.increment), Change.zeroIfMissing(a?.runs, b?.runs)])
        }

        // A line missing from one side's list held less than the last one listed
        // there: it counts as 0, so a new line holding much is a change, not a gap.
        // Without a list on one side (no --top, no -o) nothing is known there.
        struct PlaceKey: Hashable { var file: String, line: Int, function: String }
        func places(_ list: [LineHolding]) -> (keys: [PlaceKey], byKey: [PlaceKey: (bytes: Double, count: Double)]) {
            var keys: [PlaceKey] = [], byKey: [PlaceKey: (bytes: Double, count: Double)] = [:]
            for holding in list {
                let key = PlaceKey(file: SourceKey.fileName(holding.file), line: holding.line, function: holding.function)
                if byKey[key] == nil { keys.append(key) }
                let previous = byKey[key] ?? (0, 0)
                byKey[key] = (previous.bytes + Double(holding.bytes), previous.count + Double(holding.count))
            }
            return (keys, byKey)
        }
        let heldBefore = places(old.topAtPeak), heldAfter = places(new.topAtPeak)
        let placeRows = unionOfKeys(heldBefore.keys, heldAfter.keys).map { key -> ComparisonRow in
            let a = heldBefore.byKey[key], b = heldAfter.byKey[key]
            let listed = (old: !old.topAtPeak.isEmpty, new: !new.topAtPeak.isEmpty)
            func known(_ value: Double?, _ hasList: Bool) -> Double? { value ?? (hasList ? 0 : nil) }
            return ComparisonRow(name: key.line > 0 ? "\(key.file):\(key.line)" : key.file, place: key.function.isEmpty ? nil : key.function,
                                 values: [Change(old: known(a?.bytes, listed.old), new: known(b?.bytes, listed.new)),
                                          Change(old: known(a?.count, listed.old), new: known(b?.count, listed.new))])
        }
        return [
            ComparisonTable(scope: "total", title: "Program", metrics: [
                ComparedMetric("peak", .bytes), ComparedMetric("resident", .bytes),
                ComparedMetric("final", .bytes), ComparedMetric("allocations", .count)], rows: [total]),
            ComparisonTable(scope: "line", title: "Lines", metrics: [ComparedMetric("increment", .bytes), ComparedMetric("runs", .count)],
                            rows: lineRows),
            ComparisonTable(scope: "top", title: "Held at the peak", metrics: [ComparedMetric("bytes", .bytes), ComparedMetric("count", .count)],
                            rows: placeRows),
        ]
    }

    public static func differences(old: MemoryProfile, new: MemoryProfile) -> [String] {
        (old.includesChildren ?? false) != (new.includesChildren ?? false)
            ? ["one run counted child processes in its resident memory and the other did not (--include-children)"] : []
    }
}
