import FoundationEssentials
import Glibc

/// Summary statistics of a sample of timings (seconds per loop, one per repeat).
public struct SampleStatistics: Codable, Equatable, Sendable {
    public var best: Double
    public var worst: Double
    public var median: Double
    public var mean: Double
    /// Sample standard deviation (n - 1 in the denominator); 0 for one value.
    public var standardDeviation: Double

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "statistics of an empty sample")
        let sorted = values.sorted()
        best = sorted[0]
        worst = sorted[sorted.count - 1]
        let middle = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        mean = values.reduce(0, +) / Double(values.count)
        if values.count > 1 {
            let mean = self.mean
            let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            standardDeviation = (squares / Double(values.count - 1)).squareRoot()
        } else {
            standardDeviation = 0
        }
    }
}

/// The Mann–Whitney U test (Wilcoxon rank-sum): do two samples come from the same
/// distribution? Used to tell whether two statements' timings really differ.
public enum MannWhitney {
    public struct Outcome: Equatable, Sendable {
        /// U of the first sample: how many (x, y) pairs have x > y (ties count ½).
        public var u: Double
        /// Two-sided p-value.
        public var pValue: Double
    }

    /// Exact p-value for small samples without ties; the normal approximation
    /// with tie and continuity corrections otherwise.
    public static func test(_ x: [Double], _ y: [Double]) -> Outcome {
        let n1 = x.count, n2 = y.count
        precondition(n1 > 0 && n2 > 0)
        var u = 0.0
        for a in x { for b in y { u += a > b ? 1 : (a == b ? 0.5 : 0) } }
        let all = (x + y).sorted()
        let hasTies = zip(all, all.dropFirst()).contains { $0 == $1 }
        if !hasTies && n1 + n2 <= 60 {
            return Outcome(u: u, pValue: exactPValue(u: u, n1: n1, n2: n2))
        }
        return Outcome(u: u, pValue: normalPValue(u: u, n1: n1, n2: n2, sorted: all))
    }

    /// P(U <= u) and P(U >= u) from the exact null distribution, counted by
    /// dynamic programming over the arrangements of the two samples.
    static func exactPValue(u: Double, n1: Int, n2: Int) -> Double {
        let maxU = n1 * n2
        // ways[i][j][k]: arrangements of i x's and j y's with U = k, kept as Doubles.
        var previous = [[Double]](repeating: [Double](repeating: 0, count: maxU + 1), count: n2 + 1)
        for j in 0...n2 { previous[j][0] = 1 }  // i = 0: U is 0
        if n1 > 0 {
            for i in 1...n1 {
                var current = [[Double]](repeating: [Double](repeating: 0, count: maxU + 1), count: n2 + 1)
                current[0][0] = 1
                if n2 > 0 {
                    for j in 1...n2 {
                        for k in 0...(i * j) {
                            // The largest of the i + j values is an x (adds j to U) or a y.
                            let fromX = k >= j ? previous[j][k - j] : 0
                            current[j][k] = fromX + current[j - 1][k]
                        }
                    }
                }
                previous = current
            }
        }
        let counts = previous[n2]
        let total = counts.reduce(0, +)
        let k = Int(u.rounded())
        let lower = counts[0...k].reduce(0, +) / total
        let upper = counts[k...maxU].reduce(0, +) / total
        return min(1, 2 * min(lower, upper))
    }

    static func normalPValue(u: Double, n1: Int, n2: Int, sorted: [Double]) -> Double {
        let n = Double(n1 + n2)
        var tieTerm = 0.0
        var index = 0
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count && sorted[end + 1] == sorted[index] { end += 1 }
            let t = Double(end - index + 1)
            tieTerm += t * t * t - t
            index = end + 1
        }
        let mean = Double(n1 * n2) / 2
        let variance = Double(n1 * n2) / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return 1 }
        let z = (abs(u - mean) - 0.5) / variance.squareRoot()
        return min(1, erfc(max(z, 0) / 2.0.squareRoot()))
    }
}
