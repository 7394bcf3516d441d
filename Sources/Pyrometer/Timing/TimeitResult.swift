/// The result of `pyrometer timeit`: each statement's timings and how they compare.
/// Saved by `-o FILE.json` in this form (docs/json-format.md).
public struct TimeitResult: ToolResult, Equatable {
    public static let format = "pyrometer.timeit"
    public static let currentVersion = 1

    public var python: String
    /// `perf_counter` (wall clock) or `process_time` (`-p`).
    public var timer: String
    public var setup: String
    /// Whether garbage collection stayed on while timing (`--gc`).
    public var gcEnabled: Bool
    /// Untimed runs of each statement before timing.
    public var warmup: Int
    /// Fastest first.
    public var statements: [StatementTiming]
    /// The unit the user chose with `-u` (nsec, usec, msec, sec), which
    /// `pyrometer view` keeps; absent when the unit was chosen automatically.
    public var unit: String? = nil
    /// What the report should say about the run (it was interrupted); absent
    /// when there is nothing to say.
    public var notes: [String]? = nil
}

/// One statement's timings. Times are seconds per loop.
public struct StatementTiming: Codable, Equatable, Sendable {
    public var statement: String
    /// Position of the statement on the command line (1-based).
    public var position: Int
    /// Loops per repeat (`-n`, or found by calibration).
    public var loops: Int
    /// Seconds per loop of each repeat, in the order they ran.
    public var times: [Double]
    public var statistics: SampleStatistics
    /// best / fastest statement's best (1 for the fastest).
    public var relative: Double
    /// Mann–Whitney U two-sided p-value against the fastest statement's repeats;
    /// nil for the fastest, or when either side has a single repeat.
    public var pValue: Double?
    /// Whether the difference from the fastest is significant: p < 0.05 and at
    /// least 5% slower (`TimeitBenchmark.minimumDifference`).
    public var significant: Bool?
    /// Why the result may be unstable (empty when it looks stable).
    public var warnings: [String]

    public var repeats: Int { times.count }
}
