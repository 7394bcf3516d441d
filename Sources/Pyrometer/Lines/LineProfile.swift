/// The result of `pyrometer lines`: per-line hits and time of every timed function.
///
/// Saved by `-o FILE.json` in this form (see docs/json-format.md) and rendered again
/// by `pyrometer view`. Times are integers in `timerUnit` seconds (nanoseconds).
public struct LineProfile: ToolResult, Equatable {
    public static let format = "pyrometer.lines"
    public static let currentVersion = 1

    /// Seconds per unit of every `time` in this file.
    public var timerUnit: Double
    /// The Python that ran the program, e.g. "3.11.7".
    public var python: String
    /// The program as started: `script.py args`, `-m module args` or `-c code args`.
    public var command: [String]
    /// The program's exit status.
    public var exitStatus: Int32?
    public var functions: [FunctionTimings]
    /// What the report should say about how lines were timed (another tool took
    /// the trace function over); absent when there is nothing to say.
    public var notes: [String]? = nil
    /// The unit of the Time columns the user chose with `-u` (seconds), which
    /// `pyrometer view` keeps; absent for the default (1e-6).
    public var outputUnit: Double? = nil
}

/// One timed function (one code object).
public struct FunctionTimings: Codable, Equatable, Sendable {
    /// The qualified name (`Vector.dot`, `outer.<locals>.inner`).
    public var name: String
    public var file: String
    /// The first line of the function, its decorators included (co_firstlineno).
    public var firstLine: Int
    /// Lines with at least one hit, in line order.
    public var lines: [LineTiming]
    /// The function's source, from `firstLine` on, captured when the profile was
    /// taken so `view` works without the file.
    public var source: [String]

    public init(name: String, file: String, firstLine: Int, lines: [LineTiming], source: [String]) {
        self.name = name
        self.file = file
        self.firstLine = firstLine
        self.lines = lines
        self.source = source
    }

    /// Sum of the lines' times (a line's time includes its callees').
    public var totalTime: Int64 { lines.reduce(0) { $0 + $1.time } }
    public var totalHits: Int64 { lines.reduce(0) { $0 + $1.hits } }
}

public struct LineTiming: Codable, Equatable, Sendable {
    public var line: Int
    public var hits: Int64
    public var time: Int64

    public init(line: Int, hits: Int64, time: Int64) {
        self.line = line
        self.hits = hits
        self.time = time
    }
}
