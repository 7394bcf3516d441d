/// What makes growth a leak: the confidence the trend test must reach, and the
/// noise floor below which growth does not count. Saved in the report, so a
/// verdict says what it was judged by.
public struct LeakCriteria: Codable, Equatable, Sendable {
    /// How sure the one-sided Mann–Kendall test must be that a series rises.
    public var confidence: Double
    /// The least growth a leak shows over the judged censuses (Theil–Sen slope
    /// times their span): in objects, or in bytes for a type judged by its bytes.
    public var minObjects: Int
    public var minBytes: Int
    /// Censuses left out at the start of the series as warm-up (set when judged).
    public var skippedCensuses: Int

    public static let defaultConfidence = 0.95
    public static let defaultMinObjects = 3
    public static let defaultMinBytes = 128

    public init(confidence: Double = defaultConfidence, minObjects: Int = defaultMinObjects,
                minBytes: Int = defaultMinBytes, skippedCensuses: Int = 0) {
        self.confidence = confidence
        self.minObjects = minObjects
        self.minBytes = minBytes
        self.skippedCensuses = skippedCensuses
    }
}

/// Decides which series of census figures keep growing. The first fifth of the
/// censuses is warm-up and left out (caches filled on first use, lazy imports,
/// the interpreter's own specialisation). Over the rest, a type leaks when its
/// count (or, failing that, its bytes):
///
/// - rises by the Mann–Kendall test at the stated confidence (95% by default);
/// - rises steadily: it ends higher than it started in each third of the judged
///   censuses, so growth that stopped (a cache now full) or happened once (a dict
///   that resized, a number that gained a digit) is not a trend;
/// - grows, by its Theil–Sen slope over the judged span, by at least the noise
///   floor (3 objects, or 128 bytes for a type judged by its bytes).
///
/// Objects a working program makes and frees go down as often as up, and a
/// periodic clean-up (a sawtooth) gives the test nothing steady to find.
public enum LeakDetector {
    /// The fewest censuses judged: at 95%, four values in rising order are the
    /// shortest series the trend test can call rising (p = 1/24).
    public static func minimumJudged(confidence: Double = LeakCriteria.defaultConfidence) -> Int {
        var n = 2
        var orders = 2.0
        while 1 / orders > 1 - confidence && n < 12 {
            n += 1
            orders *= Double(n)
        }
        return n
    }

    /// The fewest censuses a verdict needs, warm-up included.
    public static func minimumCensuses(confidence: Double = LeakCriteria.defaultConfidence) -> Int {
        var n = minimumJudged(confidence: confidence)
        while n - skipped(n, confidence: confidence) < minimumJudged(confidence: confidence) { n += 1 }
        return n
    }

    /// Censuses left out as warm-up: the first fifth, as long as enough remain.
    public static func skipped(_ censuses: Int, confidence: Double = LeakCriteria.defaultConfidence) -> Int {
        max(0, min(censuses / 5, censuses - minimumJudged(confidence: confidence)))
    }

    /// What a report says instead of a verdict when there are fewer.
    public static func notEnoughCensuses(taken: Int, confidence: Double = LeakCriteria.defaultConfidence) -> String {
        "not enough censuses to judge: \(taken) taken, \(minimumCensuses(confidence: confidence)) needed"
    }

    public struct Verdict: Equatable, Sendable {
        /// Judged steps (census to census) that went up, of all judged steps.
        public var rising: Int
        public var steps: Int
        /// Theil–Sen slope per unit of the points.
        public var slope: Double
        /// 1 − p of the trend test.
        public var confidence: Double
        /// Higher at the end of each third of the judged censuses than at its start.
        public var steady: Bool
        public var grows: Bool
    }

    /// Judges one series (already without its warm-up) against a floor in its own
    /// unit (objects or bytes).
    public static func judge(_ series: [Int], at points: [Double], floor: Int,
                             confidence wanted: Double = LeakCriteria.defaultConfidence) -> Verdict {
        let n = min(series.count, points.count)
        let steps = max(0, n - 1)
        var rising = 0
        for index in 1..<max(1, n) where series[index] > series[index - 1] { rising += 1 }
        guard n >= minimumJudged(confidence: wanted) else {
            return Verdict(rising: rising, steps: steps, slope: 0, confidence: 0, steady: false, grows: false)
        }
        // The cheap test first: most types of a heap do not rise in every third.
        let cuts = [0, Int((Double(n - 1) / 3).rounded()), Int((Double(2 * (n - 1)) / 3).rounded()), n - 1]
        let steady = (0..<3).allSatisfy { series[cuts[$0 + 1]] > series[cuts[$0]] }
        guard steady else {
            return Verdict(rising: rising, steps: steps, slope: 0, confidence: 0, steady: false, grows: false)
        }
        let trend = TrendTest.rising(Array(series.prefix(n)), at: Array(points.prefix(n)))
        let growth = trend.slope * (points[n - 1] - points[0])
        let grows = trend.pValue <= 1 - wanted && trend.slope > 0 && growth >= Double(floor)
        return Verdict(rising: rising, steps: steps, slope: trend.slope, confidence: trend.confidence,
                       steady: true, grows: grows)
    }

    /// The leaks among per-type series (type → counts, bytes) taken at `points`
    /// (call numbers or seconds), worst (most bytes per unit) first.
    public static func leaks(_ series: [String: (counts: [Int], bytes: [Int])], at points: [Double],
                             criteria: LeakCriteria = LeakCriteria()) -> [Leak] {
        let skip = skipped(points.count, confidence: criteria.confidence)
        let judgedPoints = Array(points.dropFirst(skip))
        var found: [Leak] = []
        for (type, figures) in series {
            let counts = Array(figures.counts.dropFirst(skip)), bytes = Array(figures.bytes.dropFirst(skip))
            let byCount = judge(counts, at: judgedPoints, floor: criteria.minObjects, confidence: criteria.confidence)
            let byBytes = judge(bytes, at: judgedPoints, floor: criteria.minBytes, confidence: criteria.confidence)
            guard byCount.grows || byBytes.grows else { continue }
            let verdict = byCount.grows ? byCount : byBytes
            // The slope of the other series, for the evidence, even if it did not decide.
            let countSlope = byCount.steady ? byCount.slope : TrendTest.rising(counts, at: judgedPoints).slope
            let bytesSlope = byBytes.steady ? byBytes.slope : TrendTest.rising(bytes, at: judgedPoints).slope
            found.append(Leak(type: type, counts: figures.counts, bytes: figures.bytes,
                              countGrowth: countSlope, bytesGrowth: bytesSlope,
                              countGrows: byCount.grows, risingSteps: verdict.rising, steps: verdict.steps,
                              confidence: verdict.confidence, sample: nil))
        }
        return found.sorted { ($0.bytesGrowth, $1.type) > ($1.bytesGrowth, $0.type) }
    }
}
