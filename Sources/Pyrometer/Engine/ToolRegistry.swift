import CPython
import FoundationEssentials

/// What `pyrometer view` may be asked for; each tool reads the options it knows.
public struct ViewOptions: Sendable {
    public var unit: String?
    public var skipZero = false
    public var peak = false
    public var top: Int?
    /// Tables only, without a tool's whole-program summary.
    public var tablesOnly = false

    public init(unit: String? = nil, skipZero: Bool = false, peak: Bool = false, top: Int? = nil, tablesOnly: Bool = false) {
        self.unit = unit
        self.skipZero = skipZero
        self.peak = peak
        self.top = top
        self.tablesOnly = tablesOnly
    }
}

/// Options of a session started from Python (`_pyrometer.session_new(tool, **options)`).
public struct PythonSessionOptions {
    public var values: [String: PyRef]

    func strings(_ key: String) throws -> [String] {
        guard let value = values[key], value.pointer != pyro_none() else { return [] }
        if let single = value.stringValue { return [single] }
        return try value.iterate().map { item in
            guard let text = item.stringValue else { throw PyrometerError("\(key) must hold strings") }
            return text
        }
    }

    func int(_ key: String) -> Int? { values[key]?.intValue }
}

/// A tool of pyrometer, declared once: its name, its result format, its native
/// functions, how a session of it is made from Python, and how `view` renders
/// its files. `view`, `-o`, the `_pyrometer` module and the CLI find tools here.
public struct Tool: @unchecked Sendable {  // immutable: names, C function pointers, closures over nothing
    public let name: String
    public let format: String
    public let currentVersion: Int
    /// Functions the tool adds to `_pyrometer`.
    public let nativeMethods: [NativeMethod]
    /// A session driven from Python; nil for tools without one (timeit runs at once).
    public let makeSession: ((PythonSessionOptions) throws -> any MeasurementSession)?
    /// Decodes one of the tool's files and renders it as `pyrometer view` shows it.
    public let view: (_ data: Data, _ path: String, ViewOptions) throws -> String
    /// Decodes two of the tool's files and compares them (`pyrometer compare`);
    /// nil for a tool whose results have no comparer (Compare/).
    public let compare: ((_ old: Data, _ oldPath: String, _ new: Data, _ newPath: String) throws -> Comparison)?

    public init<Result: ToolResult>(
        name: String, result: Result.Type, nativeMethods: [NativeMethod] = [],
        makeSession: ((PythonSessionOptions) throws -> any MeasurementSession)? = nil,
        render: @escaping (Result, ViewOptions) throws -> String
    ) {
        self.name = name
        self.format = Result.format
        self.currentVersion = Result.currentVersion
        self.nativeMethods = nativeMethods
        self.makeSession = makeSession
        self.view = { data, path, options in
            let result: Result
            do { result = try ResultFile.decode(Result.self, from: data) } catch let error as PyrometerError {
                throw PyrometerError("'\(path)' \(error.message)")
            }
            return try render(result, options)
        }
        if let comparable = Result.self as? any ComparableResult.Type {
            self.compare = { old, oldPath, new, newPath in
                try comparable.compareFiles(old: old, oldPath: oldPath, new: new, newPath: newPath)
            }
        } else {
            self.compare = nil
        }
    }
}

/// Every tool, in the order `pyrometer --help` lists them.
public enum ToolRegistry {
    public static let tools: [Tool] = [.lines, .memory, .timeit, .leaks, .sample]

    public static func tool(named name: String) -> Tool? {
        tools.first { $0.name == name }
    }

    public static func tool(forFormat format: String) -> Tool? {
        tools.first { $0.format == format }
    }
}
