/// A `--fail-if` condition: `[SCOPE.]METRIC OP [+|-]NUMBER[UNIT]`, about the
/// change from the old result to the new one (docs/compare.md):
///
///     time>+5%          the total time grew by more than 5%
///     peak>+10MiB       the traced peak grew by more than 10 MiB
///     function.hits!=0  some function's hits changed
///     statement.time>+2%
///
/// With `%` the threshold is the relative change; otherwise the change itself,
/// in the unit given (none: seconds, bytes, objects or percentage points).
public struct ChangeCondition: Equatable, Sendable {
    public enum Comparator: String, Sendable, CaseIterable {
        case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<=", equal = "==", notEqual = "!="

        func holds(_ x: Double, _ y: Double) -> Bool {
            switch self {
            case .greater: return x > y
            case .greaterOrEqual: return x >= y
            case .less: return x < y
            case .lessOrEqual: return x <= y
            case .equal: return x == y
            case .notEqual: return x != y
            }
        }
    }

    /// The condition as written.
    public var text: String
    /// The table (`function`, `line`...); nil: the first table with the metric.
    public var scope: String?
    public var metric: String
    public var comparator: Comparator
    /// In the metric's base unit (seconds, bytes, objects, points), or a
    /// fraction (0.05) when `relative`.
    public var threshold: Double
    public var relative: Bool
    /// What the unit written measures; nil for a bare number or `%`.
    public var unitQuantity: Quantity?

    static let units: [(names: [String], quantity: Quantity, scale: Double)] = [
        (["ns", "nsec"], .seconds, 1e-9), (["us", "usec", "µs"], .seconds, 1e-6), (["ms", "msec"], .seconds, 1e-3),
        (["s", "sec"], .seconds, 1),
        (["b"], .bytes, 1), (["kb"], .bytes, 1e3), (["mb"], .bytes, 1e6), (["gb"], .bytes, 1e9),
        (["kib"], .bytes, 1024), (["mib"], .bytes, 1_048_576), (["gib"], .bytes, 1_073_741_824),
        (["pt"], .percent, 1),
    ]

    /// Parses one condition; a bad one is a one-line error naming it.
    public init(parsing text: String) throws {
        self.text = text
        func bad(_ why: String) -> PyrometerError {
            PyrometerError("bad --fail-if condition '\(text.escapingControlCharacters())': \(why) (see 'pyrometer compare --help')")
        }
        let spaceless = String(text.filter { !$0.isWhitespace })
        guard let operatorStart = spaceless.firstIndex(where: { "<>=!".contains($0) }) else {
            throw bad("no comparison (one of > >= < <= == !=)")
        }
        let name = String(spaceless[..<operatorStart])
        var rest = spaceless[operatorStart...]
        guard let comparator = Comparator.allCases.sorted(by: { $0.rawValue.count > $1.rawValue.count })
            .first(where: { rest.hasPrefix($0.rawValue) }) else {
            throw bad("'\(rest.prefix(2))' is not a comparison (one of > >= < <= == !=)")
        }
        self.comparator = comparator
        rest = rest.dropFirst(comparator.rawValue.count)

        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !name.isEmpty, parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0 == "_" } }) else {
            throw bad(name.isEmpty ? "no metric before the comparison" : "'\(name)' is not a metric (METRIC or SCOPE.METRIC)")
        }
        scope = parts.count == 2 ? parts[0] : nil
        metric = parts[parts.count - 1]

        let numberEnd = rest.firstIndex { !("0123456789.+-eE".contains($0)) } ?? rest.endIndex
        var numberText = String(rest[..<numberEnd])
        var unitText = String(rest[numberEnd...]).lowercased()
        // "5e" would eat the e of no unit, but "1e3" is a number: an exponent needs digits.
        if let last = numberText.last, last == "e" || last == "E" {
            numberText.removeLast()
            unitText = "e" + unitText
        }
        guard !numberText.isEmpty else { throw bad("no number after '\(comparator.rawValue)'") }
        guard let number = Double(numberText), number.isFinite else { throw bad("'\(numberText)' is not a number") }
        if unitText == "%" {
            relative = true
            threshold = number / 100
            unitQuantity = nil
        } else if unitText.isEmpty {
            relative = false
            threshold = number
            unitQuantity = nil
        } else if let unit = Self.units.first(where: { $0.names.contains(unitText) }) {
            relative = false
            threshold = number * unit.scale
            unitQuantity = unit.quantity
        } else {
            throw bad("unknown unit '\(rest[numberEnd...])' (%, ns us ms s, B KB MB GB KiB MiB GiB, pt)")
        }
    }

    /// Checks the condition on every row of its table. An unknown metric or a
    /// unit of the wrong kind is an error naming what the comparison has.
    public func evaluate(on comparison: Comparison) throws -> ConditionOutcome {
        let candidates = comparison.tables.filter { scope == nil || $0.scope == scope }
        guard let table = candidates.first(where: { $0.metrics.contains { $0.name == metric } }) else {
            let known = comparison.tables.flatMap { table in table.metrics.map { "\(table.scope).\($0.name)" } }
            let what = scope.map { "'\($0).\(metric)'" } ?? "'\(metric)'"
            throw PyrometerError("bad --fail-if condition '\(text.escapingControlCharacters())': \(comparison.compared) comparisons have no \(what) (they have \(known.joined(separator: ", ")))")
        }
        let column = table.metrics.firstIndex { $0.name == metric }!
        let quantity = table.metrics[column].quantity
        if let unitQuantity, unitQuantity != quantity {
            throw PyrometerError("bad --fail-if condition '\(text.escapingControlCharacters())': \(metric) is in \(quantity.rawValue), the threshold in \(unitQuantity.rawValue)")
        }
        var checked = 0
        var broken: [(size: Double, text: String)] = []
        for row in table.rows {
            let value = row.values[column]
            guard let change = value.change, value.significant != false else { continue }
            checked += 1
            let measured = relative ? (value.relative ?? (change == 0 ? 0 : change > 0 ? .infinity : -.infinity)) : change
            if comparator.holds(measured, threshold) {
                broken.append((abs(change), "\(row.name): \(ChangeFormat.change(value, quantity))"))
            }
        }
        return ConditionOutcome(condition: text, passed: broken.isEmpty, checked: checked,
                                failures: broken.sorted { $0.size > $1.size }.map(\.text))
    }
}
