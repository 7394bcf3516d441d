/// Samples gathered into the stack model of `SampleProfile`: distinct frames,
/// distinct stacks per thread with their samples and time. Pure Swift: the
/// sampler feeds it named frames, the tests feed it by hand.
public struct StackAggregate: Sendable {
    public private(set) var frames: [SampledFrame] = []
    public private(set) var threads: [SampledThread] = []
    private var frameIndex: [SampledFrame: Int] = [:]
    private var stackIndex: [StackKey: Int] = [:]
    public private(set) var stacks: [SampledStack] = []
    public private(set) var samples: Int64 = 0

    private struct StackKey: Hashable {
        var thread: Int
        var frames: [Int]
    }

    public init() {}

    /// The index of `frame`, added when new.
    public mutating func frame(_ frame: SampledFrame) -> Int {
        if let index = frameIndex[frame] { return index }
        frames.append(frame)
        frameIndex[frame] = frames.count - 1
        return frames.count - 1
    }

    /// The index of a new thread.
    public mutating func thread(_ thread: SampledThread) -> Int {
        threads.append(thread)
        return threads.count - 1
    }

    public mutating func renameThread(_ index: Int, to name: String) {
        threads[index].name = name
    }

    /// One sample: frame indices outermost first, on thread `thread`, standing
    /// for `nanoseconds`.
    public mutating func add(frames path: [Int], thread: Int, nanoseconds: Int64) {
        let key = StackKey(thread: thread, frames: path)
        if let index = stackIndex[key] {
            stacks[index].samples += 1
            stacks[index].nanoseconds &+= nanoseconds
        } else {
            stacks.append(SampledStack(frames: path, thread: thread, samples: 1, nanoseconds: nanoseconds))
            stackIndex[key] = stacks.count - 1
        }
        samples += 1
    }
}

/// The numbers of the summary, drawn from a profile: per function its own
/// samples (it was the innermost frame) and total samples (it was anywhere on
/// the stack, counted once per sample however deep its recursion), per line its
/// own samples.
public struct SampleTotals: Sendable {
    public struct Function: Equatable, Sendable {
        public var function: String
        public var file: String
        public var firstLine: Int
        public var own: Int64
        public var total: Int64
    }

    public struct Line: Equatable, Sendable {
        public var function: String
        public var file: String
        public var line: Int
        public var samples: Int64
    }

    /// Most own samples first (then most total, then by name).
    public var functions: [Function]
    /// Most samples first.
    public var lines: [Line]
    public var samples: Int64

    public init(_ profile: SampleProfile) {
        struct FunctionKey: Hashable { var function: String, file: String, firstLine: Int }
        struct LineKey: Hashable { var function: String, file: String, line: Int }
        var functions: [FunctionKey: Function] = [:]
        var lines: [LineKey: Int64] = [:]
        var samples: Int64 = 0
        for stack in profile.stacks {
            samples += stack.samples
            var seen = Set<FunctionKey>()
            for (position, index) in stack.frames.enumerated() where profile.frames.indices.contains(index) {
                let frame = profile.frames[index]
                let key = FunctionKey(function: frame.function, file: frame.file, firstLine: frame.firstLine)
                var entry = functions[key] ?? Function(function: frame.function, file: frame.file, firstLine: frame.firstLine, own: 0, total: 0)
                if seen.insert(key).inserted { entry.total += stack.samples }
                if position == stack.frames.count - 1 {
                    entry.own += stack.samples
                    lines[LineKey(function: frame.function, file: frame.file, line: frame.line), default: 0] += stack.samples
                }
                functions[key] = entry
            }
        }
        self.samples = samples
        self.functions = functions.values.sorted {
            ($0.own, $0.total, $1.function, $1.file) > ($1.own, $1.total, $0.function, $0.file)
        }
        self.lines = lines.map { Line(function: $0.key.function, file: $0.key.file, line: $0.key.line, samples: $0.value) }
            .sorted { ($0.samples, $1.file, $1.line) > ($1.samples, $0.file, $0.line) }
    }
}
