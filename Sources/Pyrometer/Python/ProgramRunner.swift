import CPython
import Foundation

/// What a tool does around the program it measures.
public protocol ProgramObserver: AnyObject {
    /// Called once the interpreter is up, before the program's first line.
    func programWillStart(_ program: ProgramSpec) throws
    /// Called exactly once when the program ends, however it ends (return,
    /// exception, sys.exit, Ctrl-C), while the interpreter is still alive.
    func programDidEnd()
}

/// Runs a Python program in the embedded interpreter exactly as `python` would:
/// the same sys.argv, sys.path[0], site-packages (and an active virtualenv's),
/// traceback printing and exit status.
public enum ProgramRunner {
    nonisolated(unsafe) private static var observer: ProgramObserver?
    nonisolated(unsafe) private static var finished = false

    /// Runs `program` and returns its exit status. Throws `PyrometerError` for
    /// problems found before the program starts (missing script, syntax error).
    public static func run(_ program: ProgramSpec, observer: ProgramObserver) throws -> Int32 {
        try checkBeforeStart(program)
        let interpreter = try InterpreterLocation.resolve()
        NativeModule.contribute([NativeMethod("_finish", .noArguments(finishCallback),
                                              doc: "Called at exit: hands the program's results to the tool.")])
        // The inittab keeps the name pointer: it must outlive the interpreter.
        if PyImport_AppendInittab(strdup(NativeModule.name), NativeModule.initFunction) != 0 {
            throw PyrometerError("cannot register the _pyrometer module")
        }
        try initialize(program, executable: interpreter.executable)
        var failure: PyrometerError?
        do {
            try checkSyntax(program)
            try addPackagePath()
            self.observer = observer
            try observer.programWillStart(program)
            // atexit runs after non-daemon threads have joined and before modules
            // are torn down; registered first, it runs after the program's own.
            try PyRef.importModule("atexit").attribute("register").call(NativeModule.module().attribute("_finish"))
        } catch let error as PythonError {
            // Turned into text here: the exception must be released before Py_Finalize.
            failure = PyrometerError("cannot start the program: \(error)")
        } catch let error as PyrometerError {
            failure = error
        } catch {
            failure = PyrometerError("cannot start the program: \(error)")
        }
        if let failure {
            Py_Finalize()
            throw failure
        }
        return Py_RunMain()
    }

    private static let finishCallback: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, _ in
        if !ProgramRunner.finished, let observer = ProgramRunner.observer {
            ProgramRunner.finished = true
            flushPythonStreams()
            observer.programDidEnd()
        }
        return NativeModule.returnNone()
    }

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
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: program.target, isDirectory: &isDirectory) else {
                throw PyrometerError("can't open file '\(program.target)': No such file or directory")
            }
            if isDirectory.boolValue, !FileManager.default.fileExists(atPath: program.target + "/__main__.py") {
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

    private static func initialize(_ program: ProgramSpec, executable: String) throws {
        // PyConfig lives in manual memory: its string setters take the struct and a
        // field of it at once, which Swift's exclusivity rules forbid for a variable.
        let config = UnsafeMutablePointer<PyConfig>.allocate(capacity: 1)
        defer { PyConfig_Clear(config); config.deallocate() }
        PyConfig_InitPythonConfig(config)
        config.pointee.parse_argv = 0
        config.pointee.install_signal_handlers = 1
        var status = PyConfig_SetBytesString(config, &config.pointee.program_name, executable)
        if PyStatus_Exception(status) == 0 {
            status = withCStrings(program.argv) { argv in
                PyConfig_SetBytesArgv(config, Py_ssize_t(argv.count - 1), argv.baseAddress)
            }
        }
        if PyStatus_Exception(status) == 0 {
            switch program.kind {
            case .script: status = PyConfig_SetBytesString(config, &config.pointee.run_filename, program.target)
            case .module: status = PyConfig_SetBytesString(config, &config.pointee.run_module, program.target)
            case .command: status = PyConfig_SetBytesString(config, &config.pointee.run_command, program.target + "\n")
            }
        }
        if PyStatus_Exception(status) == 0 {
            status = Py_InitializeFromConfig(config)
        }
        if PyStatus_Exception(status) != 0 {
            let message = status.err_msg.map { String(cString: $0) } ?? "unknown error"
            throw PyrometerError("cannot start the Python interpreter (\(executable)): \(message)")
        }
    }

    /// A syntax error is reported in one line before anything runs.
    private static func checkSyntax(_ program: ProgramSpec) throws {
        let source: PyRef
        let filename: String
        switch program.kind {
        case .script:
            var path = program.target
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
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

    /// Makes `import pyrometer` work in the program (appended, so the program's own
    /// modules win).
    private static func addPackagePath() throws {
        guard let folder = PackageLocation.pythonFolder() else { return }
        let path = try PyRef(borrowed: PySys_GetObject("path") ?? { throw PyrometerError("sys.path is missing") }())
        try path.callMethod("append", PyRef.string(folder))
    }

    private static func withCStrings<T>(_ strings: [String], _ body: (UnsafeMutableBufferPointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
        let pointers = UnsafeMutableBufferPointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { pointers[index] = strdup(string) }
        pointers[strings.count] = nil
        defer {
            for index in 0..<strings.count { free(pointers[index]) }
            pointers.deallocate()
        }
        return body(pointers)
    }
}

/// Which Python executable the embedded interpreter presents itself as: an active
/// virtualenv's python when its version matches the build, else the Python the
/// package was built against. Site-packages, sys.executable and pyvenv.cfg handling
/// follow from it exactly as for that python.
public struct InterpreterLocation {
    public let executable: String

    static func resolve() throws -> InterpreterLocation {
        let built = String(cString: pyro_build_python_executable())
        let buildVersion = "\(pyro_version_hex() >> 24).\((pyro_version_hex() >> 16) & 0xff)"
        if let venv = ProcessInfo.processInfo.environment["VIRTUAL_ENV"], !venv.isEmpty {
            let python = venv + "/bin/python"
            if FileManager.default.isExecutableFile(atPath: python) {
                if let venvVersion = virtualenvVersion(venv), venvVersion != buildVersion {
                    throw PyrometerError("the active virtualenv \(venv) uses Python \(venvVersion) but this pyrometer was built for \(buildVersion); rebuild it with PYTHON=\(python)")
                }
                return InterpreterLocation(executable: python)
            }
        }
        return InterpreterLocation(executable: built)
    }

    private static func virtualenvVersion(_ venv: String) -> String? {
        guard let text = try? String(contentsOfFile: venv + "/pyvenv.cfg", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == "version" || parts[0] == "version_info" {
                let numbers = parts[1].split(separator: ".")
                if numbers.count >= 2 { return "\(numbers[0]).\(numbers[1])" }
            }
        }
        return nil
    }
}

/// Where pyrometer's Python package (`python/pyrometer`) is.
enum PackageLocation {
    static func pythonFolder() -> String? {
        var candidates: [String] = []
        if let override = ProcessInfo.processInfo.environment["PYROMETER_PYTHON_PACKAGE"] { candidates.append(override) }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        candidates.append(executable.deletingLastPathComponent().appendingPathComponent("../share/pyrometer/python").standardized.path)
        candidates.append(String(cString: pyro_source_root()) + "/python")
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/pyrometer/__init__.py") }
    }
}
