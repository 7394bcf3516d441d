/// What a decoded result file must satisfy before any renderer sees it: a result
/// file is input from anywhere, and a renderer trusts its values. Each result type
/// checks itself in one `validate(_:)`, called by `ResultFile.decode`; a failed
/// check is one sentence naming the field (`functions.0.lines.3.line`).
///
/// The rules: counts, sizes, times and line numbers are never negative; line
/// numbers fit what Python can number (a C int); sums that a report prints fit in
/// 64 bits; floating-point values are finite; and the rows a report prints are
/// bounded by the file's size, so a small file cannot ask for a huge table.
public struct ResultCheck {
    /// The largest line number CPython can give (`co_firstlineno` is a C int).
    public static let maximumLine = Int(Int32.max)

    /// Rows of line tables (source and timed lines) a file may ask for: what a
    /// real profile of that size can hold, with room for functions whose source
    /// was not captured.
    public let rowBudget: Int
    private(set) var rowsUsed = 0

    public init(fileSize: Int) {
        rowBudget = 10_000 + fileSize
    }

    struct Failure: Error {
        let message: String
    }

    func fail(_ field: String, _ problem: String) -> Failure {
        Failure(message: "'\(field)' \(problem)")
    }

    func nonNegative<Number: BinaryInteger>(_ value: Number, _ field: String) throws {
        if value < 0 { throw fail(field, "is \(value); it cannot be negative") }
    }

    func positive<Number: BinaryInteger>(_ value: Number, _ field: String) throws {
        if value < 1 { throw fail(field, "is \(value); it must be at least 1") }
    }

    /// A source line: 1...maximumLine; or, where a place may have no line (a
    /// frame whose line CPython does not know is -1, no Python frame is 0), from -1.
    func line(_ value: Int, _ field: String, orNone: Bool = false) throws {
        let lowest = orNone ? -1 : 1
        if value < lowest || value > Self.maximumLine {
            throw fail(field, "is \(value), not a line number (\(lowest) to \(Self.maximumLine))")
        }
    }

    func finite(_ value: Double, _ field: String, nonNegative: Bool = true) throws {
        if !value.isFinite { throw fail(field, "is not a finite number") }
        if nonNegative && value < 0 { throw fail(field, "is \(value); it cannot be negative") }
    }

    /// The sum of `values`, refused when it does not fit in 64 bits.
    func sum(_ values: [Int64], _ field: String) throws -> Int64 {
        var total: Int64 = 0
        for value in values {
            let (next, overflow) = total.addingReportingOverflow(value)
            if overflow { throw fail(field, "add up to more than \(Int64.max)") }
            total = next
        }
        return total
    }

    /// Counts `rows` table rows against the file's budget.
    mutating func spend(rows: Int, _ field: String) throws {
        rowsUsed += rows  // both at most a few times Int32.max: no overflow
        if rowsUsed > rowBudget {
            throw fail(field, "spans \(rows) lines; a file of this size holds at most \(rowBudget) table rows in all")
        }
    }

    /// The rows of one function's table (first line to the last source or measured
    /// line), checking its line numbers and that no line is listed twice.
    mutating func lineTable(firstLine: Int, lines: [Int], sourceCount: Int, _ field: String) throws {
        try line(firstLine, field + ".firstLine")
        var seen = Set<Int>()
        for (index, number) in lines.enumerated() {
            try line(number, "\(field).lines.\(index).line")
            if !seen.insert(number).inserted { throw fail("\(field).lines.\(index).line", "lists line \(number) twice") }
        }
        let lastSource = firstLine + sourceCount - 1  // both bounded: no overflow
        let last = max(lastSource, lines.max() ?? firstLine, firstLine)
        try spend(rows: last - firstLine + 1, field)
    }
}

extension ResultFile {
    /// Runs a decoded result's checks; the error names the file's format.
    static func validate<Result: ToolResult>(_ result: Result, fileSize: Int) throws {
        var check = ResultCheck(fileSize: fileSize)
        do {
            try result.validate(&check)
        } catch let failure as ResultCheck.Failure {
            throw PyrometerError("is a damaged \(Result.format) file: \(failure.message)")
        }
    }
}

// MARK: - the rules of each result

extension LineProfile {
    public func validate(_ check: inout ResultCheck) throws {
        if !timerUnit.isFinite || timerUnit <= 0 { throw check.fail("timerUnit", "must be a positive number of seconds") }
        if let outputUnit, !outputUnit.isFinite || outputUnit <= 0 { throw check.fail("outputUnit", "must be a positive number of seconds") }
        for (index, function) in functions.enumerated() {
            let field = "functions.\(index)"
            try check.lineTable(firstLine: function.firstLine, lines: function.lines.map(\.line),
                                sourceCount: function.source.count, field)
            for (number, timing) in function.lines.enumerated() {
                try check.nonNegative(timing.hits, "\(field).lines.\(number).hits")
                try check.nonNegative(timing.time, "\(field).lines.\(number).time")
            }
            _ = try check.sum(function.lines.map(\.hits), "\(field).lines.*.hits")
            _ = try check.sum(function.lines.map(\.time), "\(field).lines.*.time")
        }
    }
}

extension MemoryProfile {
    public func validate(_ check: inout ResultCheck) throws {
        try check.nonNegative(peakTraced, "peakTraced")
        if let unit, MemoryTableReport.Unit(rawValue: unit) == nil { throw check.fail("unit", "must be one of B, KiB, MiB, GiB") }
        try check.nonNegative(peakResident, "peakResident")
        try check.nonNegative(finalTraced, "finalTraced")
        try check.nonNegative(allocations, "allocations")
        for (index, function) in functions.enumerated() {
            let field = "functions.\(index)"
            try check.lineTable(firstLine: function.firstLine, lines: function.lines.map(\.line),
                                sourceCount: function.source.count, field)
            for (number, line) in function.lines.enumerated() {
                // An increment is allocations minus frees: it may be negative.
                try check.nonNegative(line.occurrences, "\(field).lines.\(number).occurrences")
                try check.nonNegative(line.resident, "\(field).lines.\(number).resident")
                try check.nonNegative(line.peak, "\(field).lines.\(number).peak")
            }
        }
        for (name, list) in [("topAtEnd", topAtEnd), ("topAtPeak", topAtPeak)] {
            for (index, holding) in list.enumerated() {
                try check.line(holding.line, "\(name).\(index).line", orNone: true)
                try check.nonNegative(holding.bytes, "\(name).\(index).bytes")
                try check.nonNegative(holding.count, "\(name).\(index).count")
            }
        }
        for (index, frame) in peakStack.enumerated() {
            try check.line(frame.line, "peakStack.\(index).line", orNone: true)
        }
        for (name, list) in [("stacksAtEnd", stacksAtEnd ?? []), ("stacksAtPeak", stacksAtPeak ?? [])] {
            try check.spend(rows: list.count, name)
            for (index, holding) in list.enumerated() {
                try check.nonNegative(holding.bytes, "\(name).\(index).bytes")
                try check.nonNegative(holding.count, "\(name).\(index).count")
                for (depth, frame) in holding.frames.enumerated() {
                    try check.line(frame.line, "\(name).\(index).frames.\(depth).line", orNone: true)
                }
            }
            _ = try check.sum(list.map(\.bytes), name + ".bytes")
        }
        for (index, sample) in timeline.samples.enumerated() {
            try check.finite(sample.time, "timeline.samples.\(index).time")
            try check.nonNegative(sample.resident, "timeline.samples.\(index).resident")
            try check.nonNegative(sample.traced, "timeline.samples.\(index).traced")
        }
        for (index, call) in timeline.calls.enumerated() {
            try check.finite(call.start, "timeline.calls.\(index).start")
            try check.finite(call.end, "timeline.calls.\(index).end")
            if call.end < call.start { throw check.fail("timeline.calls.\(index).end", "is before its start") }
        }
    }
}

extension TimeitResult {
    public func validate(_ check: inout ResultCheck) throws {
        try check.nonNegative(warmup, "warmup")
        if let unit, TimeFormat.scale(of: unit) == nil { throw check.fail("unit", "must be one of nsec, usec, msec, sec") }
        for (index, statement) in statements.enumerated() {
            let field = "statements.\(index)"
            try check.positive(statement.position, field + ".position")
            try check.positive(statement.loops, field + ".loops")
            if statement.times.isEmpty { throw check.fail(field + ".times", "is empty; a statement has at least one repeat") }
            for (number, time) in statement.times.enumerated() { try check.finite(time, "\(field).times.\(number)") }
            let s = statement.statistics
            for (name, value) in [("best", s.best), ("worst", s.worst), ("median", s.median), ("mean", s.mean),
                                  ("standardDeviation", s.standardDeviation)] {
                try check.finite(value, "\(field).statistics.\(name)")
            }
            try check.finite(statement.relative, field + ".relative")
            if let p = statement.pValue, !(0...1).contains(p) {
                throw check.fail(field + ".pValue", "is \(p); a p-value is between 0 and 1")
            }
        }
    }
}

extension LeakReport {
    public func validate(_ check: inout ResultCheck) throws {
        if let interval { try check.finite(interval, "interval") }
        for (index, point) in points.enumerated() { try check.finite(point, "points.\(index)") }
        for (index, count) in totalCounts.enumerated() { try check.nonNegative(count, "totalCounts.\(index)") }
        for (index, bytes) in totalBytes.enumerated() { try check.nonNegative(bytes, "totalBytes.\(index)") }
        if let criteria {
            if !(0...1).contains(criteria.confidence) {
                throw check.fail("criteria.confidence", "is \(criteria.confidence); it must be between 0 and 1")
            }
            try check.nonNegative(criteria.minObjects, "criteria.minObjects")
            try check.nonNegative(criteria.minBytes, "criteria.minBytes")
            try check.nonNegative(criteria.skippedCensuses, "criteria.skippedCensuses")
        }
        for (index, leak) in leaks.enumerated() {
            let field = "leaks.\(index)"
            for (number, count) in leak.counts.enumerated() { try check.nonNegative(count, "\(field).counts.\(number)") }
            for (number, bytes) in leak.bytes.enumerated() { try check.nonNegative(bytes, "\(field).bytes.\(number)") }
            try check.finite(leak.countGrowth, field + ".countGrowth", nonNegative: false)
            try check.finite(leak.bytesGrowth, field + ".bytesGrowth", nonNegative: false)
            try check.nonNegative(leak.steps, field + ".steps")
            if leak.risingSteps < 0 || leak.risingSteps > leak.steps {
                throw check.fail(field + ".risingSteps", "is \(leak.risingSteps); it must be between 0 and steps (\(leak.steps))")
            }
            if let confidence = leak.confidence, !(0...1).contains(confidence) {
                throw check.fail(field + ".confidence", "is \(confidence); it must be between 0 and 1")
            }
            if let retained = leak.retained {
                try check.nonNegative(retained.objects, field + ".retained.objects")
                try check.nonNegative(retained.bytes, field + ".retained.bytes")
                if let holder = retained.heldBy, holder.bytes < 0 || holder.bytes > retained.bytes {
                    throw check.fail(field + ".retained.heldBy.bytes", "is \(holder.bytes); it must be between 0 and retained.bytes (\(retained.bytes))")
                }
            }
            guard let sample = leak.sample else { continue }
            if sample.chain.isEmpty { throw check.fail(field + ".sample.chain", "is empty; it ends at the sample object") }
            if let place = sample.allocatedAt { try check.line(place.line, field + ".sample.allocatedAt.line", orNone: true) }
        }
    }
}

extension SampleProfile {
    public func validate(_ check: inout ResultCheck) throws {
        if !["cpu", "wall", "gil"].contains(mode) { throw check.fail("mode", "must be one of cpu, wall, gil") }
        try check.finite(requestedRate, "requestedRate")
        try check.finite(rate, "rate")
        try check.finite(duration, "duration")
        try check.nonNegative(samplesExpected, "samplesExpected")
        try check.nonNegative(samplesTaken, "samplesTaken")
        for (reason, count) in samplesDropped.sorted(by: { $0.key < $1.key }) {
            try check.nonNegative(count, "samplesDropped.\(reason)")
        }
        _ = try check.sum(samplesDropped.values.sorted(), "samplesDropped")
        for (index, frame) in frames.enumerated() {
            try check.line(frame.line, "frames.\(index).line", orNone: true)
            try check.line(frame.firstLine, "frames.\(index).firstLine", orNone: true)
        }
        // Every stack is a row of the summary's tables, each frame of it a step of
        // the flame graph's tree: both are bounded by the file's size.
        try check.spend(rows: stacks.count, "stacks")
        for (index, stack) in stacks.enumerated() {
            let field = "stacks.\(index)"
            try check.spend(rows: stack.frames.count, field + ".frames")
            try check.nonNegative(stack.samples, field + ".samples")
            try check.nonNegative(stack.nanoseconds, field + ".nanoseconds")
            if stack.thread < 0 || stack.thread >= threads.count {
                throw check.fail(field + ".thread", "is \(stack.thread); there are \(threads.count) threads")
            }
            for (position, frame) in stack.frames.enumerated() where frame < 0 || frame >= frames.count {
                throw check.fail("\(field).frames.\(position)", "is \(frame); there are \(frames.count) frames")
            }
        }
        _ = try check.sum(stacks.map(\.samples), "stacks.samples")
        _ = try check.sum(stacks.map(\.nanoseconds), "stacks.nanoseconds")
        for (file, lines) in sources.sorted(by: { $0.key < $1.key }) {
            try check.spend(rows: lines.count, "sources.\(file)")
        }
    }
}
