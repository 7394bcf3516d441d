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
///
/// Several statements are timed in rounds: each statement is calibrated on its own
/// (timeit's autorange), then each round runs every statement once, in an order
/// shuffled anew for each round (warm-up runs too). Slow drift of the machine
/// (frequency, other processes, a warming cache) then falls on every statement
/// alike instead of on whichever statement happened to run last.
public enum TimeitBenchmark {
    /// Compiled copies of each statement's function that the rounds take turns over.
    static let maximumCopies = 20

    /// `namespace` is the globals dict the code runs in; nil gives a fresh one.
    public static func run(_ options: TimeitOptions, namespace: PyRef? = nil) throws -> TimeitResult {
        try record(options, namespace: namespace).result
    }

    /// The result and what `-v` shows: each statement's calibration and raw times.
    public static func record(_ options: TimeitOptions, namespace: PyRef? = nil) throws -> TimeitRecord {
        try options.validate()
        let time = try PyRef.importModule("time")
        let clock = try time.attribute(options.processTime ? "process_time" : "perf_counter")
        var timers: [StatementTimer] = []
        for (index, statement) in options.statements.enumerated() {
            let label = options.statements.count == 1 ? "statement" : "statement \(index + 1)"
            let globals = try namespace ?? freshNamespace()
            timers.append(try StatementTimer(statement: statement, label: label, setup: options.setupCode,
                                             namespace: globals, clock: clock, keepGC: options.keepGC,
                                             copies: min(options.repeats, maximumCopies)))
        }
        var calibrations = [[CalibrationStep]](repeating: [], count: timers.count)
        var loops: [Int] = []
        for (index, timer) in timers.enumerated() {
            if let number = options.number {
                loops.append(number)
            } else {
                loops.append(try timer.calibrate { calibrations[index].append(CalibrationStep(loops: $0, seconds: $1)) })
            }
        }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<options.warmup {
            for index in timers.indices.shuffled(using: &generator) {
                _ = try timers[index].run(loops: loops[index], copy: round)
            }
        }
        var raw = [[Double]](repeating: [], count: timers.count)
        var interruption: Interruption?
        rounds: for round in 0..<options.repeats {
            for index in timers.indices.shuffled(using: &generator) {
                do {
                    raw[index].append(try timers[index].run(loops: loops[index], copy: round))
                } catch let failure as TimingFailure {
                    // Ctrl-C, SIGTERM or SIGHUP after a whole round: the rounds done are the result.
                    guard round > 0, let stop = Interruption(failure) else { throw failure }
                    interruption = stop
                    break rounds
                }
            }
        }
        let rounds = raw.map(\.count).min() ?? 0
        raw = raw.map { Array($0.prefix(rounds)) }
        let measured = options.statements.indices.map { index in
            MeasuredStatement(statement: options.statements[index], position: index + 1, loops: loops[index],
                              times: raw[index].map { $0 / Double(loops[index]) })
        }
        var result = TimeitResult(python: PythonVersion.current, timer: options.processTime ? "process_time" : "perf_counter",
                                  setup: options.setupCode, gcEnabled: options.keepGC, warmup: options.warmup,
                                  statements: compare(measured))
        if let interruption {
            result.notes = ["interrupted by \(interruption.cause) after \(rounds) of \(options.repeats) repeats: the figures are those of the repeats done"]
        }
        let logs = options.statements.indices.map { index in
            StatementLog(position: index + 1, statement: options.statements[index], loops: loops[index],
                         calibration: calibrations[index], rawTimes: raw[index])
        }
        return TimeitRecord(result: result, logs: logs, interruption: interruption)
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

    /// The p-value below which a difference can be significant.
    public static let significanceLevel = 0.05
    /// How much slower (by best time) than the fastest a statement must be for its
    /// difference to be significant. Two copies of one statement, interleaved,
    /// come out a few percent apart on their own (where their code lands in
    /// memory, a busy machine): below this, a small p-value says the copies
    /// differ, not the statements. As pyperf's minimum speed difference.
    public static let minimumDifference = 0.05

    /// Ranks statements by their best time, and tests each against the fastest:
    /// significant when the Mann–Whitney U test gives p < `significanceLevel`
    /// and the statement is at least `minimumDifference` slower.
    public static func compare(_ measured: [MeasuredStatement]) -> [StatementTiming] {
        let ranked = measured.map { ($0, SampleStatistics($0.times)) }.sorted { $0.1.best < $1.1.best }
        guard let fastest = ranked.first else { return [] }
        return ranked.enumerated().map { rank, entry in
            let (statement, statistics) = entry
            var pValue: Double? = nil
            if rank > 0, statement.times.count > 1, fastest.0.times.count > 1 {
                pValue = MannWhitney.test(statement.times, fastest.0.times).pValue
            }
            let relative = statistics.best / fastest.1.best
            return StatementTiming(statement: statement.statement, position: statement.position, loops: statement.loops,
                                   times: statement.times, statistics: statistics, relative: relative, pValue: pValue,
                                   significant: pValue.map { $0 < significanceLevel && relative >= 1 + minimumDifference },
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
