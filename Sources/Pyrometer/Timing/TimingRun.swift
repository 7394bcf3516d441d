import CPython
import FoundationEssentials

/// `pyrometer timeit` outside any program: starts the embedded interpreter, times,
/// and shuts it down. Code runs in a fresh `__main__`-like namespace with the working
/// directory first on sys.path, as under `python -m timeit`.
public enum TimingRun {
    public struct Failure: Error {
        /// One line to show (a syntax error); nil when the traceback was printed.
        public let message: String?
        public let exitCode: Int32
    }

    /// The result (with what `-v` prints), or a failure: the code does not compile (a message), or it raised
    /// (its traceback has been printed to stderr, as Python prints it).
    public static func inEmbeddedInterpreter(_ options: TimeitOptions) throws -> Result<TimeitRecord, Failure> {
        // Inside a running interpreter (the wheel's console script) it is used as it is.
        let embedded = Py_IsInitialized() == 0
        if embedded { try Interpreter.start(argv: [""]) }
        defer { if embedded { Py_Finalize() } }
        try endTimingOnSignals()
        if let path = PySys_GetObject("path") {
            _ = try? PyRef(borrowed: path).callMethod("insert", PyRef.int(0), PyRef.string(FileManager.default.currentDirectoryPath))
        }
        do {
            return .success(try TimeitBenchmark.record(options))
        } catch let failure as TimingFailure {
            switch failure {
            case .syntax:
                return .failure(Failure(message: failure.message, exitCode: 2))
            case .raised(let error):
                if let stop = Interruption(failure) {
                    // Before a whole round was timed: nothing to report.
                    StandardStream.writeError("pyrometer: interrupted by \(stop.cause) before a whole round was timed\n")
                    return .failure(Failure(message: nil, exitCode: stop.exitStatus))
                }
                error.printTraceback()
                return .failure(Failure(message: nil, exitCode: error.typeName == "KeyboardInterrupt" ? 130 : 1))
            }
        }
    }

    /// SIGTERM and SIGHUP end timing as Ctrl-C does: with the repeats done so far
    /// (pyrometer's handler raises SystemExit(128 + signal); a second one exits at once).
    private static func endTimingOnSignals() throws {
        let signals = try PyRef.importModule("signal")
        let handler = try NativeModule.module().attribute("_terminate")
        for name in ["SIGTERM", "SIGHUP"] {
            try signals.attribute("signal").call(signals.attribute(name), handler)
        }
    }
}
