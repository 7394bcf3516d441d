import FoundationEssentials

/// The program to run, in the three forms `python` accepts.
public struct ProgramSpec: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case script   // python path/to/script.py
        case module   // python -m package.module
        case command  // python -c "code"
    }

    public var kind: Kind
    /// The script path, module name or code.
    public var target: String
    /// Arguments after the target (sys.argv[1:]).
    public var arguments: [String]

    public init(kind: Kind, target: String, arguments: [String] = []) {
        self.kind = kind
        self.target = target
        self.arguments = arguments
    }

    /// sys.argv as Python sets it before the program starts (runpy replaces "-m"
    /// with the module's path once it is found).
    public var argv: [String] {
        switch kind {
        case .script: return [target] + arguments
        case .module: return ["-m"] + arguments
        case .command: return ["-c"] + arguments
        }
    }

    /// How the program was started, as a user would type it after `python`.
    public var commandLine: [String] {
        switch kind {
        case .script: return [target] + arguments
        case .module: return ["-m", target] + arguments
        case .command: return ["-c", target] + arguments
        }
    }

    /// The file the program's own code lives in, absolute, for a script; the
    /// pseudo-file of `-c` code; nil for a module (found by import later).
    public var mainFile: String? {
        switch kind {
        case .script: return Paths.absolute(target)
        case .command: return "<string>"
        case .module: return nil
        }
    }

    /// The folder whose files count as the program's own (for `-f NAME` without a
    /// module): the script's folder, else the working directory.
    public var mainDirectory: String {
        switch kind {
        case .script: return Paths.folder(of: Paths.absolute(target))
        case .module, .command: return FileManager.default.currentDirectoryPath
        }
    }
}
