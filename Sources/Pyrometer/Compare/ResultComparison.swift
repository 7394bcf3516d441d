import FoundationEssentials

/// A result type `pyrometer compare` knows: how two of its results become
/// comparison tables. Each tool's comparer is in this folder.
public protocol ComparableResult: ToolResult {
    /// The tables of changes from `old` to `new`, totals first.
    static func comparisonTables(old: Self, new: Self) -> [ComparisonTable]
    /// The Python that produced the result, to warn when two runs differ.
    var python: String { get }
    /// What else makes the two runs unlike (different timers, modes).
    static func differences(old: Self, new: Self) -> [String]
    /// Decodes and validates both files, then compares them.
    static func compareFiles(old: Data, oldPath: String, new: Data, newPath: String) throws -> Comparison
}

extension ComparableResult {
    public static func differences(old: Self, new: Self) -> [String] { [] }

    public static func compareFiles(old: Data, oldPath: String, new: Data, newPath: String) throws -> Comparison {
        func decode(_ data: Data, _ path: String) throws -> Self {
            do { return try ResultFile.decode(Self.self, from: data) } catch let error as PyrometerError {
                throw PyrometerError("'\(path)' \(error.message)")
            }
        }
        let before = try decode(old, oldPath), after = try decode(new, newPath)
        var notes = differences(old: before, new: after)
        if before.python != after.python {
            notes.insert("the runs used different Pythons: \(before.python) (old), \(after.python) (new)", at: 0)
        }
        return Comparison(compared: format, old: oldPath, new: newPath, tables: comparisonTables(old: before, new: after),
                          notes: notes.isEmpty ? nil : notes)
    }
}

/// `pyrometer compare`: two result files of one tool, compared, with conditions checked.
public enum ResultComparison {
    public static func compare(oldPath: String, newPath: String, conditions: [ChangeCondition] = []) throws -> Comparison {
        let (oldTool, oldData) = try ResultFile.load(oldPath)
        let (newTool, newData) = try ResultFile.load(newPath)
        guard oldTool.format == newTool.format else {
            throw PyrometerError("'\(oldPath)' holds \(oldTool.format) results and '\(newPath)' \(newTool.format) results; compare needs two results of one tool")
        }
        guard let compareFiles = oldTool.compare else {
            throw PyrometerError("\(oldTool.format) results cannot be compared")
        }
        var comparison = try compareFiles(oldData, oldPath, newData, newPath)
        comparison.conditions = try conditions.map { try $0.evaluate(on: comparison) }
        return comparison
    }

    /// The JSON of a comparison (`--json`, `-o`), keys sorted as in result files.
    public static func encode(_ comparison: Comparison) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(comparison)
    }
}

/// How rows of two results are matched: by name and file name, not directory,
/// so the base and the change checked out in two places still pair up.
struct SourceKey: Hashable, Comparable {
    var name: String
    var file: String

    init(_ name: String, file: String) {
        self.name = name
        self.file = SourceKey.fileName(file)
    }

    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    static func < (a: SourceKey, b: SourceKey) -> Bool { (a.file, a.name) < (b.file, b.name) }
}

/// The keys of both sides: the old ones in their order, then the new ones.
func unionOfKeys<Key: Hashable>(_ old: [Key], _ new: [Key]) -> [Key] {
    var seen = Set<Key>()
    return (old + new).filter { seen.insert($0).inserted }
}
