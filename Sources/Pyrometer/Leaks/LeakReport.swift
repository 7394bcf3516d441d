/// The result of `pyrometer leaks`: the census series, the types found growing,
/// and for the worst of them an object with the references that keep it alive.
/// Saved by `-o FILE.json` (docs/json-format.md), shown again by `pyrometer view`.
public struct LeakReport: ToolResult, Equatable {
    public static let format = "pyrometer.leaks"
    public static let currentVersion = 1

    public enum Mode: String, Codable, Sendable {
        case interval  // a census every --interval seconds while the program runs
        case calls     // a census after each of --repeat calls of one function
    }

    public var python: String
    public var command: [String]
    public var mode: Mode
    /// `module:function` called (calls mode).
    public var function: String?
    /// Seconds between censuses (interval mode).
    public var interval: Double?
    /// Where each census was taken: call number (0 = after the warm-up call,
    /// before the measured ones) or seconds since the program started.
    public var points: [Double]
    /// Live objects and bytes in all, per census.
    public var totalCounts: [Int]
    public var totalBytes: [Int]
    /// Types found growing, worst first.
    public var leaks: [Leak]
    /// Why nothing could be judged (too few censuses, the function failed...).
    public var problem: String?
    /// What the verdicts were judged by: confidence, noise floor, warm-up
    /// censuses left out (absent in files of versions before verdicts had it).
    public var criteria: LeakCriteria?

    public var isClean: Bool { leaks.isEmpty && problem == nil }

    /// "call" or "s": what growth is per.
    public var unit: String { mode == .calls ? "call" : "s" }
}

public struct Leak: Codable, Equatable, Sendable {
    /// `module.QualifiedName` of the type.
    public var type: String
    /// Live objects and their bytes at each census.
    public var counts: [Int]
    public var bytes: [Int]
    /// Growth per call or per second: the Theil–Sen slope over the judged
    /// censuses (the median of the slopes between every two of them).
    public var countGrowth: Double
    public var bytesGrowth: Double
    /// The count grows (else only the bytes do: objects of the type get bigger).
    public var countGrows: Bool
    /// Judged censuses after which the series that decided went up, of all judged steps.
    public var risingSteps: Int
    public var steps: Int
    /// How sure the trend test is that the series that decided rises (1 − p).
    public var confidence: Double?
    public var sample: LeakSample?
    /// What the type's new objects hold, from the heap's dominator tree.
    public var retained: Retention? = nil
}

/// What would be freed if a growing type's new objects went, and which older
/// object keeps most of them alive.
public struct Retention: Codable, Equatable, Sendable {
    /// The objects measured: those of the type made since the first census (when
    /// only the bytes grow, those that grew), less those inside another of them.
    public var objects: Int
    /// Their retained size: the bytes freed if they went, with everything only
    /// they keep alive.
    public var bytes: Int
    /// The object made before the first census that retains most of them; nil
    /// when they hang from the heap's roots directly.
    public var heldBy: RetentionHolder?
}

public struct RetentionHolder: Codable, Equatable, Sendable {
    /// Retained size of the measured objects it holds, and how many they are.
    public var bytes: Int
    public var objects: Int
    public var type: String
    public var description: String
    /// The root a path to it starts from and the path (`service._registry`),
    /// as for a sample; nil when no module or local reaches it.
    public var root: String?
    public var path: String?
}

/// One object of a growing type, and how it is reached.
public struct LeakSample: Codable, Equatable, Sendable {
    /// objgraph's short description (`repr`, `N items`...).
    public var description: String
    public var address: UInt
    /// The root the chain starts from: `module NAME` or `local NAME in FUNCTION (FILE:LINE)`.
    public var root: String
    /// Python-like path from the root to the object (`app.CACHE['k'][3]`).
    public var path: String
    /// Each object on the way, from the root's first object to the sample.
    public var chain: [ChainStep]
    /// Where it was allocated, with --trace-allocations.
    public var allocatedAt: SourcePlace?
}

public struct ChainStep: Codable, Equatable, Sendable {
    /// How the previous object refers to this one (`.items`, `[3]`, `['key']`).
    public var via: String
    public var type: String
    public var description: String
    /// Graphviz node id (the object's address) for the drawing.
    public var node: String
}

public struct SourcePlace: Codable, Hashable, Sendable {
    public var file: String
    public var line: Int
    public var function: String
}
