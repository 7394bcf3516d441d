import CPython
import FoundationEssentials

/// One measurement: it installs what it needs on `start`, puts back what it found
/// on `stop`, and hands over a Codable result. Nothing it installed outlives
/// `stop`. Started again after `stop`, it goes on counting (as line_profiler's
/// enable/disable do); a new session starts from zero.
///
/// Two drivers start sessions: `ProgramRunner` (run a program, report at its end)
/// and the `_pyrometer` module (start and stop from Python).
public protocol MeasurementSession: AnyObject {
    associatedtype Result: ToolResult
    /// Begins (or resumes) measuring, holding the GIL.
    func start(_ context: SessionContext) throws
    /// Stops measuring and restores the interpreter, holding the GIL.
    func stop()
    /// What was measured so far, holding the GIL: after `stop`, or while running
    /// (`-i/--output-interval` takes one every interval).
    func result() throws -> Result
    /// Measures the code of `object` too (a function, method, class...): what
    /// `@profile` and `LineProfiler.add_function` do. Tools without per-function
    /// measurement ignore it.
    func watch(_ object: PyRef) throws
    /// Called in a forked child that will report on its own: what the parent
    /// counted before the fork is forgotten.
    func forgetCountsAfterFork()
}

extension MeasurementSession {
    public func watch(_ object: PyRef) throws {}
    public func forgetCountsAfterFork() {}

    /// The result as its JSON file holds it.
    public func encodedResult() throws -> Data {
        try ResultFile.encode(result())
    }
}

/// What a session knows of the program it measures: the program a
/// `ProgramRunner` runs, or nothing when started from Python.
public struct SessionContext: Sendable {
    public var program: ProgramSpec?

    public init(program: ProgramSpec? = nil) {
        self.program = program
    }

    /// The program as the user typed it after `python` (empty from Python).
    public var commandLine: [String] { program?.commandLine ?? [] }
    public var mainFile: String? { program?.mainFile }
    public var mainModule: String? { program?.kind == .module ? program?.target : nil }
    public var mainDirectory: String { program?.mainDirectory ?? FileManager.default.currentDirectoryPath }
}

/// Numbers each start of a session. Marks left on code objects by an earlier
/// start carry an older number, so they are classified afresh.
enum SessionGeneration {
    nonisolated(unsafe) private static var last: UInt32 = 0

    static func next() -> UInt32 {
        last &+= 1
        if last == 0 { last = 1 }
        return last
    }
}
