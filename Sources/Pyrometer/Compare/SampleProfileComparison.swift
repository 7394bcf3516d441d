import Glibc

/// Sample results compared per function (matched by name and file name): the
/// share of samples in which it was the innermost frame (own) and anywhere on
/// the stack (total), in percent, with a two-proportion test of each change.
extension SampleProfile: ComparableResult {
    public static func comparisonTables(old: SampleProfile, new: SampleProfile) -> [ComparisonTable] {
        let before = SampleTotals(old), after = SampleTotals(new)
        func byKey(_ totals: SampleTotals) -> (keys: [SourceKey], byKey: [SourceKey: (own: Int64, total: Int64, place: String)]) {
            var keys: [SourceKey] = [], byKey: [SourceKey: (own: Int64, total: Int64, place: String)] = [:]
            for function in totals.functions {
                let key = SourceKey(function.function, file: function.file)
                if let previous = byKey[key] {
                    byKey[key] = (previous.own + function.own, previous.total + function.total, previous.place)
                } else {
                    keys.append(key)
                    byKey[key] = (function.own, function.total, "\(key.file):\(function.firstLine)")
                }
            }
            return (keys, byKey)
        }
        let a = byKey(before), b = byKey(after)
        func share(_ part: Int64, _ whole: Int64) -> Change.Share { Change.Share(part: Double(part), whole: Double(whole)) }
        let rows = unionOfKeys(a.keys, b.keys).map { key -> ComparisonRow in
            let was = a.byKey[key], now = b.byKey[key]
            return ComparisonRow(name: key.name, place: (now ?? was)!.place, values: [
                Change(shares: share(was?.own ?? 0, before.samples), share(now?.own ?? 0, after.samples)),
                Change(shares: share(was?.total ?? 0, before.samples), share(now?.total ?? 0, after.samples))])
        }
        let total = ComparisonRow(name: "program", values: [
            Change(old: Double(old.samplesTaken), new: Double(new.samplesTaken)),
            Change(old: old.duration, new: new.duration)])
        return [
            ComparisonTable(scope: "total", title: "Program", metrics: [ComparedMetric("samples", .count), ComparedMetric("duration", .seconds)],
                            rows: [total]),
            ComparisonTable(scope: "function", title: "Functions (share of samples)", metrics: [
                ComparedMetric("own", .percent), ComparedMetric("total", .percent)], rows: rows),
        ]
    }

    public static func differences(old: SampleProfile, new: SampleProfile) -> [String] {
        old.mode != new.mode ? ["the runs sampled in different modes: \(old.mode) (old), \(new.mode) (new)"] : []
    }
}

extension Change {
    /// Samples of one kind out of all samples.
    public struct Share: Sendable {
        public var part: Double
        public var whole: Double
        var percent: Double { whole > 0 ? part * 100 / whole : 0 }
    }

    /// Two shares in percent, with a two-proportion z-test of their difference
    /// when both sides have samples (each sample counted as one trial).
    public init(shares old: Share, _ new: Share) {
        var pValue: Double?, significant: Bool?
        if old.whole > 0, new.whole > 0 {
            let pooled = (old.part + new.part) / (old.whole + new.whole)
            let spread = (pooled * (1 - pooled) * (1 / old.whole + 1 / new.whole)).squareRoot()
            let p = spread > 0 ? erfc(abs(new.part / new.whole - old.part / old.whole) / spread / 2.0.squareRoot()) : 1
            pValue = min(1, p)
            significant = p < TimeitBenchmark.significanceLevel
        }
        self.init(old: old.percent, new: new.percent, pValue: pValue, significant: significant)
    }
}
