/// The result of `pyrometer sample`: the stacks the sampler saw, each with how
/// many samples (and how much time) it got. Every output (the terminal summary,
/// flame graph, HTML page, speedscope, collapsed stacks, pprof) is drawn from this
/// one model. Saved by `-o FILE.json` (docs/json-format.md) and rendered again by
/// `pyrometer view`.
public struct SampleProfile: ToolResult, Equatable {
    public static let format = "pyrometer.sample"
    public static let currentVersion = 1

    /// The Python that ran the program, e.g. "3.12.1".
    public var python: String
    /// The program as started: `script.py args`, `-m module args` or `-c code args`.
    public var command: [String]
    /// `cpu`, `wall` or `gil`.
    public var mode: String
    /// Whether idle samples (a thread waiting on a lock, in `sleep`, in I/O) were kept.
    public var idle: Bool
    /// Samples per second asked for, and the rate used (lower when the machine
    /// could not hold the one asked for).
    public var requestedRate: Double
    public var rate: Double
    /// Seconds from the first sample to the last.
    public var duration: Double
    /// Samples the rate and the time measured call for (in cpu mode: the CPU
    /// time of the sampled threads), and samples recorded in `stacks`.
    public var samplesExpected: Int64
    public var samplesTaken: Int64
    /// Samples left out, by reason: `torn` (a stack changed while it was copied),
    /// `codeFreed` (a code object went away before it was named), `bufferFull`.
    public var samplesDropped: [String: Int64]
    /// Every distinct frame: a function at a line.
    public var frames: [SampledFrame]
    /// Distinct stacks, each with its samples.
    public var stacks: [SampledStack]
    /// The threads seen.
    public var threads: [SampledThread]
    /// Source lines of the files of the hottest functions, for the HTML page:
    /// file -> lines (the whole file, as it was when the profile was taken).
    public var sources: [String: [String]]
    /// What the report should say about how it was measured; absent when nothing.
    public var notes: [String]? = nil
}

/// A function at a line: one frame of a stack.
public struct SampledFrame: Codable, Equatable, Hashable, Sendable {
    /// The qualified name (`Vector.dot`, `<module>`).
    public var function: String
    public var file: String
    /// The line running in this frame when sampled.
    public var line: Int
    /// The function's first line.
    public var firstLine: Int
}

public struct SampledStack: Codable, Equatable, Sendable {
    /// Indices into `frames`, outermost first (`<module>` ... innermost).
    public var frames: [Int]
    /// Index into `threads`.
    public var thread: Int
    public var samples: Int64
    /// The time these samples stand for (CPU time in cpu and gil modes, wall
    /// time in wall mode), in nanoseconds.
    public var nanoseconds: Int64
}

public struct SampledThread: Codable, Equatable, Sendable {
    /// The OS thread id (native_id).
    public var id: Int64
    /// threading's name when known ("MainThread", "Thread-1 (worker)"), else "".
    public var name: String
}
