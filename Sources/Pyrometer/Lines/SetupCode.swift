import CPython
import FoundationEssentials

/// Code run once before the program, outside the measurement (kernprof's `-s`):
/// a Python file, or code given as a string. As kernprof runs its setup file, it
/// runs in a namespace of its own (`__name__` is `"__main__"`, a file's
/// `__file__` is set): what it imports stays loaded for the program, its
/// variables are not the program's globals. A setup file's folder is put first on
/// `sys.path` (and stays there, as with kernprof); setup code given as a string
/// sees the program's own folder there while it runs.
public enum SetupCode: Equatable, Sendable {
    case file(String)
    case code(String)

    /// A setup argument as the command line gives it: an existing file (or a name
    /// ending in `.py`, which must then exist) is a file, anything else is code.
    public static func parse(_ argument: String) throws -> SetupCode {
        if let isDirectory = Paths.isDirectory(argument) {
            if isDirectory { throw PyrometerError("the setup file '\(argument)' is a directory") }
            guard FileManager.default.isReadableFile(atPath: argument) else {
                throw PyrometerError("can't open the setup file '\(argument)': Permission denied")
            }
            return .file(argument)
        }
        if argument.hasSuffix(".py") {
            throw PyrometerError("can't open the setup file '\(argument)': No such file or directory")
        }
        return .code(argument)
    }

    /// Runs the setup before `program` (holding the GIL). A setup that raises is
    /// one error line: the exception and the setup's line that raised it.
    func run(before program: ProgramSpec) throws {
        let builtins = try PyRef.importModule("builtins")
        let path = try PyRef.importModule("sys").attribute("path")
        let namespace = try PyRef(owned: PyDict_New())
        try namespace.setItem("__name__", PyRef.string("__main__"))
        try namespace.setItem("__builtins__", builtins)
        let source: PyRef
        let filename: String
        var temporaryPath: String?
        switch self {
        case .file(let file):
            guard let data = FileManager.default.contents(atPath: file) else {
                throw PyrometerError("can't open the setup file '\(file)'")
            }
            source = try data.withUnsafeBytes { bytes in
                try PyRef(owned: PyBytes_FromStringAndSize(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count))
            }
            filename = file
            try namespace.setItem("__file__", PyRef.string(file))
            try path.callMethod("insert", PyRef.int(0), PyRef.string(Paths.folder(of: Paths.absolute(file))))
        case .code(let code):
            source = try PyRef.string(code + "\n")
            filename = "<setup>"
            let folder = program.kind == .script ? Paths.folder(of: Paths.absolute(program.target)) : program.mainDirectory
            try path.callMethod("insert", PyRef.int(0), PyRef.string(folder))
            temporaryPath = folder
        }
        defer {
            // Taken out again only if it is still where it was put.
            if let temporaryPath, let first = try? path.item(0), first.stringValue == temporaryPath {
                _ = try? path.callMethod("pop", PyRef.int(0))
            }
        }
        do {
            let code = try builtins.attribute("compile").call(source, PyRef.string(filename), PyRef.string("exec"),
                                                               keywords: ["dont_inherit": PyRef.bool(true)])
            _ = try builtins.attribute("exec").call(code, namespace)
        } catch let error as PythonError {
            let place = Self.innermostLine(of: error, in: filename).map { " (\(filename), line \($0))" } ?? ""
            if error.typeName == "SystemExit" {
                throw PyrometerError("the setup code exited (SystemExit\(error.message.isEmpty ? "" : ": \(error.message)"))\(place)", exitCode: 1)
            }
            throw PyrometerError("the setup code raised \(error)\(place)", exitCode: 1)
        }
    }

    /// The line of the innermost traceback entry in `filename`.
    private static func innermostLine(of error: PythonError, in filename: String) -> Int? {
        var entry = error.exception?.optionalAttribute("__traceback__")
        var line: Int?
        while let current = entry, !current.isNone {
            if current.optionalAttribute("tb_frame")?.optionalAttribute("f_code")?.optionalAttribute("co_filename")?.stringValue == filename {
                line = current.optionalAttribute("tb_lineno")?.intValue
            }
            entry = current.optionalAttribute("tb_next")
        }
        return line
    }
}
