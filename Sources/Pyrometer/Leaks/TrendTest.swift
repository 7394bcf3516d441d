import Glibc

/// The Mann–Kendall test for an upward trend, with the Theil–Sen slope: does a
/// series taken in time order keep going up, and how fast? Both look only at
/// the order of pairs of values, so one odd census (a cache emptied, a burst of
/// temporaries) moves neither much.
public enum TrendTest {
    public struct Outcome: Equatable, Sendable {
        /// Kendall's S: pairs (earlier, later) that went up minus pairs that went down.
        public var s: Int
        /// One-sided p-value: the chance of an S at least this large in a series
        /// without trend (its values in random order).
        public var pValue: Double
        /// Theil–Sen slope: the median of the slopes between every two censuses,
        /// per unit of `points`.
        public var slope: Double

        /// 1 − p: how sure the test is that the series rises.
        public var confidence: Double { 1 - pValue }
    }

    /// Tests `values` (taken at increasing `points`) for an upward trend.
    public static func rising(_ values: [Int], at points: [Double]) -> Outcome {
        let n = min(values.count, points.count)
        guard n >= 2 else { return Outcome(s: 0, pValue: 1, slope: 0) }
        var s = 0
        var slopes: [Double] = []
        slopes.reserveCapacity(n * (n - 1) / 2)
        for i in 0..<(n - 1) {
            for j in (i + 1)..<n {
                if values[j] > values[i] { s += 1 } else if values[j] < values[i] { s -= 1 }
                let run = points[j] - points[i]
                if run > 0 { slopes.append(Double(values[j] - values[i]) / run) }
            }
        }
        return Outcome(s: s, pValue: pValue(s: s, values: Array(values.prefix(n))), slope: median(&slopes))
    }

    /// P(S ≥ s) without trend: exact for series without ties (up to 60 values),
    /// else the normal approximation with the tie-corrected variance and a
    /// continuity correction.
    static func pValue(s: Int, values: [Int]) -> Double {
        let n = values.count
        var groups: [Int: Int] = [:]
        for value in values { groups[value, default: 0] += 1 }
        let tied = groups.values.filter { $0 > 1 }
        if tied.isEmpty && n <= 60 { return exactPValue(s: s, n: n) }
        func term(_ t: Int) -> Double { Double(t) * Double(t - 1) * Double(2 * t + 5) }
        let variance = (term(n) - tied.reduce(0) { $0 + term($1) }) / 18
        guard variance > 0 else { return 1 }  // every value the same
        let corrected = s > 0 ? Double(s - 1) : (s < 0 ? Double(s + 1) : 0)
        return 0.5 * erfc(corrected / variance.squareRoot() / 2.0.squareRoot())
    }

    /// Without ties S = N − 2·I, where I counts the inversions of the series'
    /// ranks and N = n(n−1)/2 is the number of pairs; under no trend every order
    /// is equally likely, and the orders with k inversions are counted by
    /// dynamic programming (Mahonian numbers, kept as fractions of n!).
    static func exactPValue(s: Int, n: Int) -> Double {
        let pairs = n * (n - 1) / 2
        // S ≥ s  ⇔  I ≤ (N − s) / 2.
        let most = (pairs - s) / 2
        guard most >= 0 else { return 0 }
        guard most < pairs else { return 1 }
        var share = [1.0]  // share[k]: fraction of orders of the first m values with k inversions
        for m in 2...max(2, n) {
            var next = [Double](repeating: 0, count: share.count + m - 1)
            // The m-th value adds 0 to m − 1 inversions, each as likely.
            var window = 0.0
            for k in next.indices {
                if k < share.count { window += share[k] }
                if k - m >= 0, k - m < share.count { window -= share[k - m] }
                next[k] = window / Double(m)
            }
            share = next
        }
        return min(1, share.prefix(most + 1).reduce(0, +))
    }

    private static func median(_ values: inout [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        values.sort()
        let middle = values.count / 2
        return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
    }
}
