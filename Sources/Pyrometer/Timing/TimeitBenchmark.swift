import CPython

/// What `pyrometer timeit` (and `pyrometer.timeit()`) is asked to time.
public struct TimeitOptions: Sendable {
    public var statements: [String]
    /// Setup lines, joined with newlines as `python -m timeit` joins several `-s`.
    public var setup: [String]
    /// Loops per repeat; nil calibrates (each repeat lasts at least 0.2 s).
    public var number: Int?
    public var repeats: Int
    /// time.process_time instead of time.perf_counter (`-p`).
    public var processTime: Bool
    public var warmup: Int
    /// Keep garbage collection on while timing (`--gc`); timeit turns it off.
    public var keepGC: Bool

    public init(statements: [String], setup: [String] = [], number: Int? = nil, repeats: Int = 5,
                processTime: Bool = false, warmup: Int = 1, keepGC: Bool = false) {
        self.statements = statements
        self.setup = setup
        self.number = number
        self.repeats = repeats
        self.processTime = processTime
        self.warmup = warmup
        self.keepGC = keepGC
    }

    public var setupCode: String { setup.isEmpty ? "pass" : setup.joined(separator: "\n") }

    /// Refuses counts timeit would refuse, in one line.
    public func validate() throws {
        if let number, number <= 0 { throw PyrometerError("-n/--number must be a positive number of loops, not \(number)") }
        if repeats <= 0 { throw PyrometerError("-r/--repeat must be a positive number of repeats, not \(repeats)") }
        if warmup < 0 { throw PyrometerError("--warmup must be zero or more runs, not \(warmup)") }
        if statements.isEmpty { throw PyrometerError("no statement to time") }
    }
}

/// Runs the timings in the current interpreter (the GIL held) and compares them.
public enum TimeitBenchmark {
    /// `namespace` is the globals dict the code runs in; nil gives a fresh one.
    public static func run(_ options: TimeitOptions, namespace: PyRef? = nil) throws -> TimeitResult {
        try options.validate()
        let time = try PyRef.importModule("time")
        let clock = try time.attribute(options.processTime ? "process_time" : "perf_counter")
        var measured: [MeasuredStatement] = []
        for (index, statement) in options.statements.enumerated() {
            let label = options.statements.count == 1 ? "statement" : "statement \(index + 1)"
            let globals = try namespace ?? freshNamespace()
            let timer = try StatementTimer(statement: statement, label: label, setup: options.setupCode,
                                           namespace: globals, clock: clock, keepGC: options.keepGC)
            let loops = try options.number ?? timer.calibrate()
            for _ in 0..<options.warmup { _ = try timer.run(loops: loops) }
            var times: [Double] = []
            for _ in 0..<options.repeats { times.append(try timer.run(loops: loops) / Double(loops)) }
            measured.append(MeasuredStatement(statement: statement, position: index + 1, loops: loops, times: times))
        }
        return TimeitResult(python: PythonVersion.current, timer: options.processTime ? "process_time" : "perf_counter",
                            setup: options.setupCode, gcEnabled: options.keepGC, warmup: options.warmup,
                            statements: compare(measured))
    }

    private static func freshNamespace() throws -> PyRef {
        let namespace = try PyRef(owned: PyDict_New())
        try namespace.setItem("__name__", PyRef.string("__main__"))
        try namespace.setItem("__builtins__", PyRef.importModule("builtins"))
        return namespace
    }

    public struct MeasuredStatement: Sendable {
        public var statement: String
        public var position: Int
        public var loops: Int
        /// Seconds per loop of each repeat.
        public var times: [Double]

        public init(statement: String, position: Int, loops: Int, times: [Double]) {
            self.statement = statement
            self.position = position
            self.loops = loops
            self.times = times
        }
    }

    /// Ranks statements by their best time, and tests each against the fastest.
    public static func compare(_ measured: [MeasuredStatement]) -> [StatementTiming] {
        let ranked = measured.map { ($0, SampleStatistics($0.times)) }.sorted { $0.1.best < $1.1.best }
        guard let fastest = ranked.first else { return [] }
        return ranked.enumerated().map { rank, entry in
            let (statement, statistics) = entry
            var pValue: Double? = nil
            if rank > 0, statement.times.count > 1, fastest.0.times.count > 1 {
                pValue = MannWhitney.test(statement.times, fastest.0.times).pValue
            }
            return StatementTiming(statement: statement.statement, position: statement.position, loops: statement.loops,
                                   times: statement.times, statistics: statistics,
                                   relative: statistics.best / fastest.1.best,
                                   pValue: pValue, significant: pValue.map { $0 < 0.05 },
                                   warnings: instability(statistics))
        }
    }

    /// Signs that the timings are disturbed (pyperf and timeit warn about these).
    public static func instability(_ s: SampleStatistics) -> [String] {
        var warnings: [String] = []
        if s.mean > 0, s.standardDeviation > 0.1 * s.mean {
            warnings.append("the standard deviation (\(TimeFormat.auto(s.standardDeviation))) is \(Int((100 * s.standardDeviation / s.mean).rounded()))% of the mean (\(TimeFormat.auto(s.mean)))")
        }
        if s.worst > 4 * s.best {
            warnings.append("the worst time (\(TimeFormat.auto(s.worst))) was more than four times slower than the best time (\(TimeFormat.auto(s.best)))")
        }
        if s.median > 1.2 * s.best {
            warnings.append("the median (\(TimeFormat.auto(s.median))) is \(Int((100 * (s.median / s.best - 1)).rounded()))% above the best time (\(TimeFormat.auto(s.best)))")
        }
        return warnings
    }
}

/// Times as timeit prints them: three significant digits and nsec/usec/msec/sec.
public enum TimeFormat {
    public static let units: [(name: String, scale: Double)] = [("sec", 1), ("msec", 1e-3), ("usec", 1e-6), ("nsec", 1e-9)]

    /// The largest unit in which `seconds` is at least 1 (timeit's choice).
    public static func unit(for seconds: Double) -> (name: String, scale: Double) {
        units.first { seconds >= $0.scale } ?? units[units.count - 1]
    }

    public static func scale(of name: String) -> Double? {
        units.first { $0.name == name }?.scale
    }

    /// Three significant digits, without an exponent for large values in a fixed unit.
    public static func format(_ seconds: Double, unit: (name: String, scale: Double)) -> String {
        let value = seconds / unit.scale
        return "\(Text.format(value >= 1000 ? "%.0f" : "%.3g", value)) \(unit.name)"
    }

    public static func auto(_ seconds: Double) -> String { format(seconds, unit: unit(for: seconds)) }
}
