/// Decides which series of census figures keep growing. A type leaks when its
/// count (or, failing that, its bytes) went up at most censuses — at least 70% of
/// the steps and at least two — went down at almost none (10%), and ended higher,
/// also over the second half of the run. Objects a program makes once (caches
/// filled on first use, lazy imports) rise a step or two and stop; objects a
/// working program makes and frees go down as often as up.
public enum LeakDetector {
    /// The fewest censuses a trend can be judged from: two steps, both rising.
    public static let minimumCensuses = 3

    /// What a report says instead of a verdict when there are fewer.
    public static func notEnoughCensuses(taken: Int) -> String {
        "not enough censuses to judge: \(taken) taken, \(minimumCensuses) needed"
    }

    public struct Verdict: Equatable, Sendable {
        public var rising: Int
        public var falling: Int
        public var steps: Int
        public var grows: Bool
    }

    public static func judge(_ series: [Int]) -> Verdict {
        let steps = max(0, series.count - 1)
        var rising = 0, falling = 0
        for index in 1..<max(1, series.count) {
            if series[index] > series[index - 1] { rising += 1 }
            if series[index] < series[index - 1] { falling += 1 }
        }
        guard series.count >= minimumCensuses, let first = series.first, let last = series.last else {
            return Verdict(rising: rising, falling: falling, steps: steps, grows: false)
        }
        let middle = series[series.count / 2]
        let grows = rising >= max(2, (steps * 7 + 9) / 10) && falling <= steps / 10 && last > first && last > middle
        return Verdict(rising: rising, falling: falling, steps: steps, grows: grows)
    }

    /// Growth per unit: the median of the steps' rates, so a one-off change (a
    /// cache emptied once, a lazy import) does not skew it.
    public static func rate(_ series: [Int], at points: [Double]) -> Double {
        var rates: [Double] = []
        for index in 1..<max(1, min(series.count, points.count)) where points[index] > points[index - 1] {
            rates.append(Double(series[index] - series[index - 1]) / (points[index] - points[index - 1]))
        }
        guard !rates.isEmpty else { return 0 }
        rates.sort()
        let middle = rates.count / 2
        return rates.count % 2 == 1 ? rates[middle] : (rates[middle - 1] + rates[middle]) / 2
    }

    /// The leaks among per-type series (type → counts, bytes) taken at `points`
    /// (call numbers or seconds), worst (most bytes per unit) first.
    public static func leaks(_ series: [String: (counts: [Int], bytes: [Int])], at points: [Double]) -> [Leak] {
        var found: [Leak] = []
        for (type, figures) in series {
            let byCount = judge(figures.counts)
            let byBytes = judge(figures.bytes)
            guard byCount.grows || byBytes.grows else { continue }
            let verdict = byCount.grows ? byCount : byBytes
            found.append(Leak(type: type, counts: figures.counts, bytes: figures.bytes,
                              countGrowth: rate(figures.counts, at: points), bytesGrowth: rate(figures.bytes, at: points),
                              countGrows: byCount.grows, risingSteps: verdict.rising, steps: verdict.steps, sample: nil))
        }
        return found.sorted { ($0.bytesGrowth, $1.type) > ($1.bytesGrowth, $0.type) }
    }
}
