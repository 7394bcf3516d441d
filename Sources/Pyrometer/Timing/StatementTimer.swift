import CPython
import FoundationEssentials

/// Why timing could not be done: a statement or the setup does not compile
/// (`which` names it), or the code raised while running.
public enum TimingFailure: Error {
    case syntax(which: String, error: PythonError)
    case raised(PythonError)

    /// One line for the command line: which code, where, what.
    public var message: String {
        switch self {
        case .syntax(let which, let error):
            let line = error.exception?.optionalAttribute("lineno")?.intValue.map { ", line \($0)" } ?? ""
            let text = error.exception?.optionalAttribute("msg")?.stringValue ?? error.message
            return "syntax error in \(which)\(line): \(text)"
        case .raised(let error):
            return "\(error)"
        }
    }

    public var pythonError: PythonError {
        switch self {
        case .syntax(_, let error), .raised(let error): return error
        }
    }
}

/// Times one statement the way timeit does: the setup and a `for` loop around the
/// statement are compiled into a function, so the timed loop runs entirely
/// inside the interpreter; the clock is read once before and once after it.
///
/// The function is compiled `copies` times. Where a code object lands in memory
/// changes its speed by a few percent (two copies of one statement differ
/// consistently), so rounds take turns over the copies: that effect becomes
/// part of the spread between repeats instead of a bias of one statement.
final class StatementTimer {
    static let sourceName = "<pyrometer timeit>"
    private var functions: [PyRef] = []
    private let clock: PyRef
    private let repeatNone: PyRef
    private let gcEnabledWhileTiming: Bool

    init(statement: String, label: String, setup: String, namespace: PyRef, clock: PyRef, keepGC: Bool,
         copies: Int = 1) throws {
        let builtins = try PyRef.importModule("builtins")
        func check(_ code: String, _ which: String) throws {
            do {
                try builtins.attribute("compile").call(PyRef.string(code), PyRef.string("<\(which)>"), PyRef.string("exec"))
            } catch let error as PythonError {
                throw TimingFailure.syntax(which: which, error: error)
            }
        }
        try check(setup, "setup")
        try check(statement, label)
        let source = StatementTimer.template(statement: statement, setup: setup)
        do {
            // Tracebacks show the statement's own lines.
            let lines = try PyRef.string(source).callMethod("splitlines", PyRef.bool(true))
            let cache = try PyRef.importModule("linecache").attribute("cache")
            try cache.setItem(StatementTimer.sourceName,
                              PyRef.tuple([PyRef.int(source.utf8.count), PyRef.none, lines, PyRef.string(StatementTimer.sourceName)]))
            for _ in 0..<max(1, copies) {
                let code = try builtins.attribute("compile").call(PyRef.string(source), PyRef.string(StatementTimer.sourceName), PyRef.string("exec"))
                try builtins.attribute("exec").call(code, namespace)
                guard let function = namespace.item(forKey: "_pyrometer_timed") else { throw PythonError.fetch() }
                functions.append(function)
            }
        } catch let error as PythonError {
            throw TimingFailure.syntax(which: label, error: error)
        }
        self.clock = clock
        self.repeatNone = try PyRef.importModule("itertools").attribute("repeat")
        self.gcEnabledWhileTiming = keepGC
    }

    static func template(statement: String, setup: String) -> String {
        func indent(_ code: String, _ prefix: String) -> String {
            code.split(separator: "\n", omittingEmptySubsequences: false).map { prefix + $0 }.joined(separator: "\n")
        }
        return """
        def _pyrometer_timed(_pyrometer_loops, _pyrometer_clock):
        \(indent(setup, "    "))
            _pyrometer_start = _pyrometer_clock()
            for _pyrometer_i in _pyrometer_loops:
        \(indent(statement, "        "))
            return _pyrometer_clock() - _pyrometer_start

        """
    }

    var copies: Int { functions.count }

    /// Seconds taken by `loops` runs of the statement (after one run of the setup),
    /// timed with the function's copy number `copy`.
    func run(loops: Int, copy: Int = 0) throws -> Double {
        let function = functions[copy % functions.count]
        let gc = try PyRef.importModule("gc")
        let wasEnabled = try gc.attribute("isenabled").call().pointer == pyro_true()
        if !gcEnabledWhileTiming { try gc.attribute("disable").call() }
        defer { if wasEnabled { _ = try? gc.attribute("enable").call() } }
        do {
            let iterator = try repeatNone.call(PyRef.none, PyRef.int(loops))
            guard let seconds = try function.call(iterator, clock).doubleValue else {
                throw PyrometerError("the timer did not return a number")
            }
            return seconds
        } catch let error as PythonError {
            throw TimingFailure.raised(error)
        }
    }

    /// timeit's autorange: the first of 1, 2, 5, 10, 20, 50, ... loops that takes
    /// at least `minimum` seconds. `tried` sees each count and its seconds.
    func calibrate(minimum: Double = 0.2, tried: (Int, Double) -> Void = { _, _ in }) throws -> Int {
        var scale = 1
        while true {
            for factor in [1, 2, 5] {
                let loops = scale * factor
                let seconds = try run(loops: loops)
                tried(loops, seconds)
                if seconds >= minimum { return loops }
            }
            scale *= 10
        }
    }
}
