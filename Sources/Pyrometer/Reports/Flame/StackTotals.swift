/// Totals per function and per line, counted over stacks so that recursion is
/// counted once: a stack adds its weight to the `total` of every function (and
/// line) it passes through once, and to the `own` of its innermost frame.
public struct StackTotals: Sendable {
    public struct Function: Sendable, Equatable {
        public var function: String
        public var file: String
        public var firstLine: Int
        public var own: Int64
        public var total: Int64
    }

    public struct Line: Sendable, Equatable {
        public var function: String
        public var file: String
        public var line: Int
        public var own: Int64
        public var total: Int64
    }

    /// Heaviest first (by total, then own, then name).
    public private(set) var functions: [Function] = []
    /// Heaviest first (by own, then total).
    public private(set) var lines: [Line] = []
    public let total: Int64

    public init(_ tree: FlameTree) {
        struct FunctionKey: Hashable { var function: String; var file: String }
        struct LineKey: Hashable { var function: String; var file: String; var line: Int }
        var functions: [FunctionKey: Function] = [:]
        var lines: [LineKey: Line] = [:]
        for stack in tree.stacks {
            var seenFunctions = Set<FunctionKey>()
            var seenLines = Set<LineKey>()
            for (position, frame) in stack.frames.enumerated() {
                let innermost = position == stack.frames.count - 1
                let functionKey = FunctionKey(function: frame.function, file: frame.file)
                let lineKey = LineKey(function: frame.function, file: frame.file, line: frame.line)
                var function = functions[functionKey] ?? Function(function: frame.function, file: frame.file, firstLine: frame.firstLine, own: 0, total: 0)
                if seenFunctions.insert(functionKey).inserted { function.total += stack.weight }
                if innermost { function.own += stack.weight }
                functions[functionKey] = function
                var line = lines[lineKey] ?? Line(function: frame.function, file: frame.file, line: frame.line, own: 0, total: 0)
                if seenLines.insert(lineKey).inserted { line.total += stack.weight }
                if innermost { line.own += stack.weight }
                lines[lineKey] = line
            }
        }
        self.total = tree.total
        self.functions = functions.values.sorted {
            ($0.total, $0.own) != ($1.total, $1.own) ? ($0.total, $0.own) > ($1.total, $1.own) : ($0.function, $0.file) < ($1.function, $1.file)
        }
        self.lines = lines.values.sorted {
            ($0.own, $0.total) != ($1.own, $1.total) ? ($0.own, $0.total) > ($1.own, $1.total) : ($0.file, $0.line) < ($1.file, $1.line)
        }
    }

    /// The lines of one function, by line number.
    public func lines(of function: Function) -> [Line] {
        lines.filter { $0.function == function.function && $0.file == function.file }.sorted { $0.line < $1.line }
    }

    /// `part` as a percentage of the whole, "0.0" when there is no whole.
    public func percent(_ part: Int64) -> String {
        Text.format("%.1f", total > 0 ? Double(part) * 100 / Double(total) : 0)
    }
}
