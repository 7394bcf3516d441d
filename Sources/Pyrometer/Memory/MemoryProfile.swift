/// The result of `pyrometer memory`. Sizes are bytes. Saved by `-o FILE.json`
/// (docs/json-format.md) and rendered again by `pyrometer view`.
public struct MemoryProfile: ToolResult, Equatable {
    public static let format = "pyrometer.memory"
    public static let currentVersion = 1
    /// The most frames of the peak stack kept (the innermost).
    public static let peakStackLimit = 64

    public var python: String
    public var command: [String]
    /// Most bytes traced at once, and the process's peak RSS (getrusage).
    public var peakTraced: Int64
    public var peakResident: Int64
    /// Bytes still traced when the program ended, and allocations seen in all.
    public var finalTraced: Int64
    public var allocations: Int64
    /// The chosen functions, line by line (memory_profiler's table).
    public var functions: [FunctionMemory]
    /// Source lines holding the most bytes when the program ended, and at the peak.
    public var topAtEnd: [LineHolding]
    public var topAtPeak: [LineHolding]
    /// The Python stack (innermost first) when the peak was recorded.
    public var peakStack: [StackFrame]
    /// Whether outer frames of the peak stack were left out (it keeps the
    /// innermost `MemoryProfile.peakStackLimit`); absent when it is whole.
    public var peakStackCut: Bool? = nil
    /// Memory over time, for --plot.
    public var timeline: MemoryTimeline
    /// What the report should say about how it was measured (a full site table,
    /// untraced events); absent when there is nothing to say.
    public var notes: [String]? = nil
    /// The unit the user chose with `-u` (B, KiB, MiB, GiB), which `pyrometer
    /// view` keeps; absent for the default (MiB).
    public var unit: String? = nil
    /// True when Mem usage, the timeline and so `peakResident` include the RSS of
    /// child processes (`--include-children`); absent otherwise.
    public var includesChildren: Bool? = nil
    /// The bytes held by each Python stack when the program ended and at the
    /// peak (`--flamegraph`, `--html`); absent unless asked for.
    public var stacksAtEnd: [StackHolding]? = nil
    public var stacksAtPeak: [StackHolding]? = nil
}

/// Bytes held by the blocks allocated under one Python stack.
public struct StackHolding: Codable, Equatable, Sendable {
    /// Outermost first; empty for blocks allocated with no Python frame.
    public var frames: [StackFrame]
    public var bytes: Int64
    public var count: Int64
}

public struct FunctionMemory: Codable, Equatable, Sendable {
    public var name: String
    public var file: String
    public var firstLine: Int
    public var lines: [LineMemory]
    public var source: [String]
}

public struct LineMemory: Codable, Equatable, Sendable {
    public var line: Int
    /// Runs of the line (calls, on the function's first line).
    public var occurrences: Int64
    /// Bytes allocated minus bytes freed while the line ran, callees included, summed over its runs.
    public var increment: Int64
    /// The largest RSS after the line (at entry, on the first line).
    public var resident: Int64
    /// The most bytes the line held at once above what was allocated when it began.
    public var peak: Int64
}

public struct LineHolding: Codable, Equatable, Sendable {
    public var file: String
    public var line: Int
    public var function: String
    public var bytes: Int64
    /// Live allocations made by the line.
    public var count: Int64
}

public struct StackFrame: Codable, Hashable, Sendable {
    public var file: String
    public var line: Int
    public var function: String
}

public struct MemoryTimeline: Codable, Equatable, Sendable {
    public struct Sample: Codable, Equatable, Sendable {
        public var time: Double      // seconds since the program started
        public var resident: Int64
        public var traced: Int64
    }
    public struct Call: Codable, Equatable, Sendable {
        public var function: String
        public var start: Double
        public var end: Double
    }
    public var samples: [Sample]
    /// Outermost calls of the chosen functions.
    public var calls: [Call]
}
