import CPython
import FoundationEssentials

/// Starting the embedded CPython: as the Python pyrometer was built against (or an
/// active virtualenv's python of the same version), with the `_pyrometer` module
/// built in and pyrometer's Python package importable.
public enum Interpreter {
    /// Initialises the interpreter with `argv` as sys.argv; `configure` may set
    /// more of the configuration (what to run). Throws a one-line error on failure.
    public static func start(argv: [String], configure: (UnsafeMutablePointer<PyConfig>) -> PyStatus = { _ in PyStatus() }) throws {
        let executable = try InterpreterLocation.resolve().executable
        NativeModule.contributeAllTools()
        // The inittab keeps the name pointer: it must outlive the interpreter.
        if PyImport_AppendInittab(strdup(NativeModule.name), NativeModule.initFunction) != 0 {
            throw PyrometerError("cannot register the _pyrometer module")
        }
        // PyConfig lives in manual memory: its string setters take the struct and a
        // field of it at once, which Swift's exclusivity rules forbid for a variable.
        let config = UnsafeMutablePointer<PyConfig>.allocate(capacity: 1)
        defer { PyConfig_Clear(config); config.deallocate() }
        PyConfig_InitPythonConfig(config)
        config.pointee.parse_argv = 0
        config.pointee.install_signal_handlers = 1
        var status = PyConfig_SetBytesString(config, &config.pointee.program_name, executable)
        if PyStatus_Exception(status) == 0 {
            status = withCStrings(argv) { pointers in
                PyConfig_SetBytesArgv(config, Py_ssize_t(argv.count), pointers.baseAddress)
            }
        }
        if PyStatus_Exception(status) == 0 { status = configure(config) }
        if PyStatus_Exception(status) == 0 { status = Py_InitializeFromConfig(config) }
        if PyStatus_Exception(status) != 0 {
            let message = status.err_msg.map { String(cString: $0) } ?? "unknown error"
            throw PyrometerError("cannot start the Python interpreter (\(executable)): \(message)")
        }
        do {
            try addPackagePath()
        } catch {
            throw PyrometerError("cannot set up the Python interpreter: \(error)")
        }
    }

    /// Makes `import pyrometer` work (appended, so the program's own modules win).
    private static func addPackagePath() throws {
        guard let folder = PackageLocation.pythonFolder(), let path = PySys_GetObject("path") else { return }
        try PyRef(borrowed: path).callMethod("append", PyRef.string(folder))
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
            let parts = line.split(separator: "=", maxSplits: 1).map { String($0).trimmed }
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

enum PythonVersion {
    /// The running interpreter's version, e.g. "3.12.1".
    static var current: String {
        String(cString: Py_GetVersion()).split(separator: " ").first.map(String.init) ?? "?"
    }
}
