import CPython
import FoundationEssentials

/// Running the program in the interpreter that is already running (the wheel's
/// console script, `python -m pyrometer`), as `python` itself would run it there:
/// sys.argv and sys.path[0] as Python sets them, the program as `__main__`
/// through runpy, tracebacks printed by sys.excepthook, then what Python does at
/// exit (wait for non-daemon threads, run atexit handlers).
enum InProcessProgram {
    static func prepare(_ program: ProgramSpec) throws {
        let sys = try PyRef.importModule("sys")
        try sys.setAttribute("argv", PyRef.list(program.argv.map { try PyRef.string($0) }))
        let first: String
        switch program.kind {
        case .script: first = Paths.folder(of: Paths.absolute(program.target))
        case .module, .command: first = FileManager.default.currentDirectoryPath
        }
        let path = try sys.attribute("path")
        // sys.path[0] is the console script's folder: replaced, as python would set it.
        if (try? path.callMethod("__len__").intValue ?? 0) ?? 0 > 0 {
            try path.callMethod("__setitem__", PyRef.int(0), PyRef.string(first))
        } else {
            try path.callMethod("insert", PyRef.int(0), PyRef.string(first))
        }
    }

    /// Runs the program and what follows it at exit; returns the exit status.
    static func run(_ program: ProgramSpec) -> Int32 {
        var status: Int32 = 0
        do {
            let runpy = try PyRef.importModule("runpy")
            switch program.kind {
            case .script:
                _ = try runpy.attribute("run_path").call(PyRef.string(program.target), keywords: ["run_name": PyRef.string("__main__")])
            case .module:
                _ = try runpy.attribute("_run_module_as_main").call(PyRef.string(program.target))
            case .command:
                // A fresh __main__, as `python -c` has (not the console script's).
                let main = try PyRef(owned: PyModule_New("__main__"))
                try PyRef(borrowed: PySys_GetObject("modules")!).setItem("__main__", main)
                let code = try PyRef.importModule("builtins").attribute("compile")
                    .call(PyRef.string(program.target + "\n"), PyRef.string("<string>"), PyRef.string("exec"))
                _ = try PyRef.importModule("builtins").attribute("exec").call(code, main.attribute("__dict__"))
            }
        } catch let error as PythonError {
            status = exitStatus(of: error)
        } catch {
            status = 1
        }
        // As at the end of Py_RunMain: non-daemon threads are joined, then atexit
        // handlers run (pyrometer's report among them, registered first, so last).
        _ = try? PyRef.importModule("threading").attribute("_shutdown").call()
        _ = try? PyRef.importModule("atexit").attribute("_run_exitfuncs").call()
        ProgramRunner.flushPythonStreams()
        return status
    }

    /// The status Python exits with for an exception: SystemExit's code, else the
    /// traceback is printed and the status is 1 (130 for Ctrl-C).
    private static func exitStatus(of error: PythonError) -> Int32 {
        if error.typeName == "SystemExit", let exception = error.exception {
            guard let code = exception.optionalAttribute("code"), code.pointer != pyro_none() else { return 0 }
            if let number = code.intValue { return Int32(truncatingIfNeeded: number) }
            if let sys = try? PyRef.importModule("sys"), let stderr = sys.optionalAttribute("stderr") {
                _ = try? stderr.callMethod("write", PyRef.string((code.stringValue ?? code.description) + "\n"))
            }
            return 1
        }
        error.printTraceback()
        return error.typeName == "KeyboardInterrupt" ? 130 : 1
    }
}
