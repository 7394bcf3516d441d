/// Two results of one tool side by side (`pyrometer compare OLD.json NEW.json`):
/// tables of what changed, and the `--fail-if` conditions checked against them.
/// Printed by `ComparisonTextReport`, written as JSON by `--json` and `-o`
/// (docs/compare.md).
public struct Comparison: Codable, Equatable, Sendable {
    public static let format = "pyrometer.compare"
    public static let currentVersion = 1

    public var format = Comparison.format
    public var version = Comparison.currentVersion
    /// The format of the two files compared (`pyrometer.lines`...).
    public var compared: String
    /// The two files, as named on the command line.
    public var old: String
    public var new: String
    /// The totals first (when the tool has totals), then the detail tables.
    public var tables: [ComparisonTable]
    /// Each `--fail-if` condition and what it found, in the order given.
    public var conditions: [ConditionOutcome] = []
    /// What the reader should know before trusting the numbers (the two runs
    /// used different Pythons); absent when there is nothing to say.
    public var notes: [String]? = nil

    public init(compared: String, old: String, new: String, tables: [ComparisonTable], notes: [String]? = nil) {
        self.compared = compared
        self.old = old
        self.new = new
        self.tables = tables
        self.notes = notes
    }

    /// True when every condition held.
    public var passed: Bool { conditions.allSatisfy(\.passed) }

    public func table(_ scope: String) -> ComparisonTable? { tables.first { $0.scope == scope } }
}

/// What a number measures, which fixes its unit and how a threshold is written.
public enum Quantity: String, Codable, Sendable {
    case seconds
    case bytes
    case count
    /// A share of all samples, in percent (a change is in percentage points).
    case percent
}

/// One metric of a table: a column group (old, new, change) in the text report.
public struct ComparedMetric: Codable, Equatable, Sendable {
    public var name: String
    public var quantity: Quantity

    public init(_ name: String, _ quantity: Quantity) {
        self.name = name
        self.quantity = quantity
    }
}

/// Rows of one kind (functions, lines, statements, types) with the same metrics.
public struct ComparisonTable: Codable, Equatable, Sendable {
    /// What a row is: `total`, `function`, `line`, `statement`, `type`, `place`.
    /// A condition names it as `SCOPE.METRIC` (docs/compare.md).
    public var scope: String
    public var title: String
    public var metrics: [ComparedMetric]
    /// Largest change of the first metric first.
    public var rows: [ComparisonRow]

    public init(scope: String, title: String, metrics: [ComparedMetric], rows: [ComparisonRow]) {
        self.scope = scope
        self.title = title
        self.metrics = metrics
        // A row known on one side only sorts by the value it has.
        func size(_ row: ComparisonRow) -> Double {
            guard let value = row.values.first else { return 0 }
            return abs(value.change ?? value.new ?? value.old ?? 0)
        }
        self.rows = rows.sorted { a, b in
            let x = size(a), y = size(b)
            return x != y ? x > y : (a.name, a.place ?? "") < (b.name, b.place ?? "")
        }
    }

    public func row(_ name: String) -> ComparisonRow? { rows.first { $0.name == name } }
}

/// One function, line, statement or type in both results.
public struct ComparisonRow: Codable, Equatable, Sendable {
    /// What the row is about, as the report names it (`work`, `work:12`, a statement).
    public var name: String
    /// Where it is (`prog.py:10`), or the source of a line; absent when the name says it all.
    public var place: String?
    /// One per metric of the table, in the table's order.
    public var values: [Change]

    public init(name: String, place: String? = nil, values: [Change]) {
        self.name = name
        self.place = place
        self.values = values
    }
}

/// One number in the old and the new result.
public struct Change: Codable, Equatable, Sendable {
    /// Absent when that result does not say (a statement timed in one file only).
    public var old: Double?
    public var new: Double?
    /// `new - old`; absent when either side is.
    public var change: Double?
    /// `change / old`; absent when either side is, or old is 0.
    public var relative: Double?
    /// Two-sided p-value of the difference when both sides have repeats (timeit's
    /// Mann–Whitney U test, a two-proportion test for sample shares).
    public var pValue: Double?
    /// Whether the change is significant: p < 0.05 (and, for timings, at
    /// least timeit's 5% minimum difference); absent with `pValue`.
    public var significant: Bool?

    public init(old: Double?, new: Double?, pValue: Double? = nil, significant: Bool? = nil) {
        self.old = old
        self.new = new
        if let old, let new {
            change = new - old
            relative = old != 0 ? (new - old) / old : nil
        }
        self.pValue = pValue
        self.significant = significant
    }

    /// Both sides known, with a missing one read as zero (a function that did not run).
    public static func zeroIfMissing(_ old: Double?, _ new: Double?) -> Change {
        Change(old: old ?? 0, new: new ?? 0)
    }
}

/// What one `--fail-if` condition found.
public struct ConditionOutcome: Codable, Equatable, Sendable {
    /// The condition as given.
    public var condition: String
    public var passed: Bool
    /// Rows the condition was checked on (rows whose change is unknown, or not
    /// significant, are not counted).
    public var checked: Int
    /// The rows that broke it, largest change first: `work: +1,000 (+100.0%)`.
    public var failures: [String]
}
