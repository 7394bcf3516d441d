/// Which functions to time, chosen without editing the program: `-f NAME` and
/// `--module PATH_OR_MODULE`. Decorated functions (`@profile`) are timed as well.
///
/// `-f` takes a qualified name: `Vector.dot` or `outer.<locals>.inner` names a
/// function of the program's own code (the script's file and the files under its
/// folder); `__main__:Class.method` one of the program run as `__main__`;
/// `module:func` and `path/to/file.py:Class.method` name one elsewhere; a
/// dotted `package.module.func` is tried both ways. `--module` takes a module name
/// or a path and selects every function and method defined in that file.
public struct FunctionSelection: Codable, Equatable, Sendable {
    public var functions: [String]
    public var modules: [String]

    public init(functions: [String] = [], modules: [String] = []) {
        self.functions = functions
        self.modules = modules
    }

    public var isEmpty: Bool { functions.isEmpty && modules.isEmpty }

    /// The selection made concrete for one program run.
    public func resolve(mainFile: String?, mainModule: String?, mainDirectory: String) -> ResolvedSelection {
        var rules: [ResolvedSelection.Rule] = []
        for spec in functions {
            var alternatives: [(FilePattern, String)] = []
            if let colon = spec.lastIndex(of: ":") {
                let module = String(spec[..<colon])
                let qualname = String(spec[spec.index(after: colon)...])
                if module == "__main__", mainFile != nil || mainModule != nil {
                    // The program run as __main__: its script, its -c code or its -m
                    // module (or a __main__.py: a folder or package run as a program).
                    var main: [FilePattern] = [FilePattern(module: module, mainDirectory: mainDirectory)]
                    if let mainFile { main.append(.exact(mainFile)) }
                    if let mainModule { main.append(FilePattern(module: mainModule, mainDirectory: mainDirectory)) }
                    alternatives.append((.any(main), qualname))
                } else {
                    alternatives.append((FilePattern(module: module, mainDirectory: mainDirectory), qualname))
                }
            } else {
                var own: [FilePattern] = [.under(mainDirectory)]
                if let mainFile { own.append(.exact(mainFile)) }
                if let mainModule { own.append(FilePattern(module: mainModule, mainDirectory: mainDirectory)) }
                alternatives.append((.any(own), spec))
                let parts = spec.split(separator: ".").map(String.init)
                if parts.count > 1 {
                    for split in 1..<parts.count {
                        let module = parts[..<split].joined(separator: ".")
                        alternatives.append((FilePattern(module: module, mainDirectory: mainDirectory),
                                             parts[split...].joined(separator: ".")))
                    }
                }
            }
            rules.append(.init(option: "-f \(spec)", kind: .function(alternatives)))
        }
        for module in modules {
            rules.append(.init(option: "--module \(module)", kind: .everyFunction(FilePattern(module: module, mainDirectory: mainDirectory))))
        }
        return ResolvedSelection(rules: rules)
    }
}

/// A set of source files, as code objects name them (co_filename, made absolute).
public indirect enum FilePattern: Equatable, Sendable {
    case exact(String)
    /// Any of these path endings: `/pkg/mod.py` or `/pkg/mod/__init__.py`.
    case suffixes([String])
    /// Files under a folder, except installed packages.
    case under(String)
    case any([FilePattern])

    /// A module name (`pkg.mod`) or a path (`src/mod.py`).
    init(module: String, mainDirectory: String) {
        if module.hasSuffix(".py") || module.contains("/") {
            self = .exact(Paths.absolute(module))
        } else {
            let path = module.replacing(".", with: "/")
            // Modules frozen into the interpreter (os, posixpath, ... since 3.11)
            // name their code "<frozen NAME>".
            self = .any([.suffixes(["/\(path).py", "/\(path)/__init__.py"]), .exact("<frozen \(module)>")])
        }
    }

    public func matches(_ file: String) -> Bool {
        switch self {
        case .exact(let path): return file == path
        case .suffixes(let endings): return endings.contains { file.hasSuffix($0) }
        case .under(let folder):
            return file.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
                && !file.contains("/site-packages/") && !file.contains("/dist-packages/")
        case .any(let patterns): return patterns.contains { $0.matches(file) }
        }
    }
}

/// A selection resolved for one run: answers "is this code object selected?".
public struct ResolvedSelection: Sendable {
    public struct Rule: Sendable {
        public enum Kind: Sendable {
            case function([(FilePattern, String)])
            case everyFunction(FilePattern)
        }
        public let option: String
        public let kind: Kind
    }

    public let rules: [Rule]

    /// Indexes of the rules that select the code object with this file and
    /// qualified name (empty when none does). Only function bodies are selected:
    /// `isFunction` is false for module and class bodies.
    public func matchingRules(file: String, qualname: String, isFunction: Bool) -> [Int] {
        guard isFunction else { return [] }
        var matched: [Int] = []
        for (index, rule) in rules.enumerated() {
            switch rule.kind {
            case .function(let alternatives):
                if alternatives.contains(where: { ResolvedSelection.names(qualname, $0.1) && $0.0.matches(file) }) {
                    matched.append(index)
                }
            case .everyFunction(let pattern):
                // Every named function: not lambdas, comprehensions or generator expressions.
                let last = qualname.split(separator: ".").last.map(String.init) ?? qualname
                if !last.hasPrefix("<"), pattern.matches(file) { matched.append(index) }
            }
        }
        return matched
    }

    /// Whether `qualname` is the function `wanted`, or a method of the class
    /// `wanted` (functions nested inside a function are not its methods).
    static func names(_ qualname: String, _ wanted: String) -> Bool {
        if qualname == wanted { return true }
        guard qualname.hasPrefix(wanted + ".") else { return false }
        let rest = qualname.dropFirst(wanted.count + 1)
        return !rest.hasPrefix("<") && !rest.split(separator: ".").contains { $0.hasPrefix("<") }
    }
}
