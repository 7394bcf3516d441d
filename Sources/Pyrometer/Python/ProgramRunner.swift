import CPython
import FoundationEssentials
import Glibc

/// Which process a report comes from: the one pyrometer started, or a child it
/// forked (reported only with --follow-fork).
public enum ProcessRole: Equatable, Sendable {
    case parent
    case forkedChild(pid: Int32)
}

/// A driver of sessions: runs a Python program in the embedded interpreter exactly
/// as `python` would (the same sys.argv, sys.path[0], site-packages and an active
/// virtualenv's, traceback printing and exit status), with one session measuring
/// it from its first line to its end, however it ends (return, exception,
/// sys.exit, Ctrl-C).
///
/// A child made by os.fork() inherits the session: by default it stays silent (the
/// parent's report is the only one); with `followFork` it forgets what the
/// parent counted and reports on its own at its exit.
public enum ProgramRunner {
    /// What happens at the program's end: stop the session, hand over its result.
    nonisolated(unsafe) private static var ending: ((ProcessRole) -> Void)?
    nonisolated(unsafe) private static var afterFork: (() -> Void)?
    nonisolated(unsafe) private static var parentPID: Int32 = 0
    nonisolated(unsafe) private static var followFork = false

    /// Runs `program` measured by `session` and returns its exit status. `onEnd`
    /// receives the result while the interpreter is still alive. With
    /// `snapshots`, `handle` receives what was measured so far every `interval`
    /// seconds while the program runs, on an engine thread without the GIL
    /// (`-i/--output-interval`). Throws `PyrometerError` for problems found
    /// before the program starts (missing script, syntax error, a session that
    /// cannot start).
    public static func run<Session: MeasurementSession>(
        _ program: ProgramSpec, session: Session, followFork: Bool = false,
        snapshots: (interval: Double, handle: (Session.Result) -> Void)? = nil,
        onEnd: @escaping (Session.Result, ProcessRole) -> Void
    ) throws -> Int32 {
        try checkBeforeStart(program)
        // Inside a running interpreter (the wheel's console script), the program
        // runs in it; else an embedded one is started for it.
        let inProcess = Py_IsInitialized() != 0
        if inProcess {
            try InProcessProgram.prepare(program)
        } else {
            try Interpreter.start(argv: program.argv) { config in
                switch program.kind {
                case .script: return PyConfig_SetBytesString(config, &config.pointee.run_filename, program.target)
                case .module: return PyConfig_SetBytesString(config, &config.pointee.run_module, program.target)
                case .command: return PyConfig_SetBytesString(config, &config.pointee.run_command, program.target + "\n")
                }
            }
        }
        var failure: PyrometerError?
        var periodic: PeriodicSnapshots?
        do {
            try checkSyntax(program)
            try setOriginalArguments(program)
            self.parentPID = getpid()
            self.followFork = followFork
            try session.start(SessionContext(program: program))
            periodic = snapshots.map { snapshots in
                PeriodicSnapshots(every: snapshots.interval) {
                    let result = withGIL { try? session.result() }
                    if let result { snapshots.handle(result) }
                }
            }
            ending = { role in
                periodic?.stop()
                session.stop()
                do {
                    onEnd(try session.result(), role)
                } catch {
                    StandardStream.writeError("pyrometer: error: cannot build the report: \(error)\n")
                }
            }
            afterFork = { session.forgetCountsAfterFork() }
            let module = try NativeModule.module()
            // atexit runs after non-daemon threads have joined and before modules
            // are torn down; registered first, it runs after the program's own.
            try PyRef.importModule("atexit").attribute("register").call(module.attribute("_finish"))
            try PyRef.importModule("os").attribute("register_at_fork").call(keywords: ["after_in_child": module.attribute("_forked")])
            // SIGTERM and SIGHUP (timeout, a cancelled CI job, docker stop, a closed
            // terminal) end the program as Ctrl-C does: the report is written.
            let signals = try PyRef.importModule("signal")
            previousHandlers = try ["SIGTERM", "SIGHUP"].map { name in
                let number = try signals.attribute(name)
                return (number, try signals.attribute("signal").call(number, module.attribute("_terminate")))
            }
            periodic?.start()
        } catch let error as PythonError {
            // Turned into text here: the exception must be released before Py_Finalize.
            failure = PyrometerError("cannot start the program: \(error)")
        } catch let error as PyrometerError {
            failure = error
        } catch {
            failure = PyrometerError("cannot start the program: \(error)")
        }
        if let failure {
            ending = nil
            afterFork = nil
            if !inProcess { Py_Finalize() }
            throw failure
        }
        return inProcess ? InProcessProgram.run(program) : Py_RunMain()
    }

    /// Native functions the driver hands to Python (atexit, os.register_at_fork,
    /// signal handlers).
    static var nativeMethods: [NativeMethod] {
        [
            NativeMethod("_finish", .noArguments(finishCallback), doc: "Called at exit: hands the program's results to the tool."),
            NativeMethod("_forked", .noArguments(forkCallback), doc: "Called in a forked child: it is silent, or reports on its own."),
            NativeMethod("_terminate", .fastCall(terminateCallback),
                         doc: "SIGTERM/SIGHUP handler: ends the program with status 128+signal (the report is written); a second signal exits at once."),
        ]
    }

    nonisolated(unsafe) private static var terminating = false

    /// The first signal raises SystemExit(128 + signal) in the program, which ends it
    /// through the usual exit path (the report, -o); a second one exits at once.
    private static let terminateCallback: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        let number = count >= 1 ? args.flatMap { $0[0] }.map { pyro_small_long($0) } ?? 15 : 15
        if ProgramRunner.terminating { _exit(Int32(128 + number)) }
        ProgramRunner.terminating = true
        pyro_set_system_exit(128 + number)
        return nil
    }

    private static let finishCallback: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, _ in
        if let end = ProgramRunner.ending {
            ProgramRunner.ending = nil
            let pid = getpid()
            if pid == ProgramRunner.parentPID {
                flushPythonStreams()
                end(.parent)
            } else if ProgramRunner.followFork {
                flushPythonStreams()
                end(.forkedChild(pid: pid))
            }
        }
        return NativeModule.returnNone()
    }

    private static let forkCallback: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, _ in
        if ProgramRunner.followFork {
            ProgramRunner.afterFork?()
        } else if let signals = try? PyRef.importModule("signal") {
            // A silent child (a multiprocessing worker) dies of SIGTERM as it would
            // without pyrometer.
            for (number, handler) in ProgramRunner.previousHandlers {
                _ = try? signals.attribute("signal").call(number, handler)
            }
        }
        return NativeModule.returnNone()
    }

    /// The SIGTERM and SIGHUP handlers the program had before pyrometer's.
    nonisolated(unsafe) private static var previousHandlers: [(PyRef, PyRef)] = []

    /// Python's buffered sys.stdout/sys.stderr go out before anything the tool prints.
    public static func flushPythonStreams() {
        for name in ["stdout", "stderr"] {
            if let stream = PySys_GetObject(name), stream != pyro_none() {
                _ = try? PyRef(borrowed: stream).callMethod("flush")
            }
        }
    }

    private static func checkBeforeStart(_ program: ProgramSpec) throws {
        switch program.kind {
        case .script:
            guard let isDirectory = Paths.isDirectory(program.target) else {
                throw PyrometerError("can't open file '\(program.target)': No such file or directory")
            }
            if isDirectory, !FileManager.default.fileExists(atPath: program.target + "/__main__.py") {
                throw PyrometerError("can't find '__main__' module in '\(program.target)'")
            }
            guard FileManager.default.isReadableFile(atPath: program.target) else {
                throw PyrometerError("can't open file '\(program.target)': Permission denied")
            }
        case .module:
            if program.target.isEmpty { throw PyrometerError("-m needs a module name") }
        case .command:
            break
        }
    }

    /// sys.orig_argv as `python` would have it: the interpreter (sys.executable),
    /// then the program as typed after it, not pyrometer's own command line.
    private static func setOriginalArguments(_ program: ProgramSpec) throws {
        let sys = try PyRef.importModule("sys")
        let executable = try sys.attribute("executable")
        try sys.setAttribute("orig_argv", PyRef.list([executable] + program.commandLine.map { try PyRef.string($0) }))
    }

    /// A syntax error is reported in one line before anything runs.
    private static func checkSyntax(_ program: ProgramSpec) throws {
        let source: PyRef
        let filename: String
        switch program.kind {
        case .script:
            var path = program.target
            if Paths.isDirectory(path) == true {
                path += "/__main__.py"
            }
            guard let data = FileManager.default.contents(atPath: path) else { return }
            source = try data.withUnsafeBytes { bytes in
                try PyRef(owned: PyBytes_FromStringAndSize(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count))
            }
            filename = program.target
        case .command:
            source = try PyRef.string(program.target + "\n")
            filename = "<string>"
        case .module:
            return
        }
        let builtins = try PyRef.importModule("builtins")
        do {
            try builtins.attribute("compile").call(source, try PyRef.string(filename), try PyRef.string("exec"),
                                                   keywords: ["dont_inherit": PyRef.bool(true)])
        } catch let error as PythonError {
            guard let exception = error.exception, ["SyntaxError", "IndentationError", "TabError", "ValueError"].contains(error.typeName) else {
                throw error
            }
            let message = exception.optionalAttribute("msg")?.stringValue ?? error.message
            let line = exception.optionalAttribute("lineno")?.intValue
            let place = line.map { "\(filename), line \($0)" } ?? filename
            throw PyrometerError("\(error.typeName.lowercased() == "syntaxerror" ? "syntax error" : error.typeName) in \(place): \(message)", exitCode: 1)
        }
    }
}
