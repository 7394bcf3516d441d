/// What `pyrometer timeit -v` prints before the report, as `python -m timeit -v`
/// does: each loop count calibration tried and its seconds ("1 loop -> 1.2e-06
/// secs"), a blank line, then "raw times: ..." (seconds per repeat in all, not
/// per loop) and a blank line. Each further `-v` adds a digit. Several
/// statements get one such block each, headed by the statement.
public struct TimeitVerboseReport {
    /// How many `-v` were given (1 or more).
    public var verbosity: Int
    /// `nsec`, `usec`, `msec` or `sec` for the raw times; nil picks one per time.
    public var unit: String?

    public init(verbosity: Int, unit: String? = nil) {
        self.verbosity = verbosity
        self.unit = unit
    }

    var precision: Int { 3 + max(0, verbosity - 1) }

    public func render(_ logs: [StatementLog]) -> String {
        var out = ""
        for log in logs {
            if logs.count > 1 { out += "statement \(log.position): \(TimeitTextReport().display(log.statement, limit: 100))\n" }
            for step in log.calibration {
                out += "\(step.loops) loop\(step.loops == 1 ? "" : "s") -> \(Text.format("%.\(precision)g", step.seconds)) secs\n"
            }
            if !log.calibration.isEmpty { out += "\n" }
            out += "raw times: " + log.rawTimes.map(time).joined(separator: ", ") + "\n\n"
        }
        return out
    }

    /// timeit's format_time: the unit asked for, else the largest the time reaches.
    func time(_ seconds: Double) -> String {
        let chosen = unit.flatMap { name in TimeFormat.scale(of: name).map { (name: name, scale: $0) } }
            ?? TimeFormat.unit(for: seconds)
        return "\(Text.format("%.\(precision)g", seconds / chosen.scale)) \(chosen.name)"
    }
}
