import ArgumentParser
import Pyrometer

/// What to run and which functions to measure: shared by `lines` and `memory`.
struct ProgramOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("function")],
            help: ArgumentHelp("Measure this function: NAME, Class.method, module:func, __main__:Class.method or file.py:func (repeatable).", valueName: "name"))
    var functions: [String] = []

    @Option(name: .customLong("module"),
            help: ArgumentHelp("Measure every function and method defined in this module or file (repeatable).", valueName: "module-or-path"))
    var modules: [String] = []

    @OptionGroup var run: ProgramArguments

    var program: [String] { run.command }
    var selection: FunctionSelection { FunctionSelection(functions: functions, modules: modules) }
    var spec: ProgramSpec { run.spec }

    func validate(command: String, help: ParsableCommand, quiet: Bool = false) throws {
        try run.validate(command: command, help: help, quiet: quiet)
    }
}

/// The program to run, as `python` takes it: script.py, -m module or -c code,
/// then its arguments. As with python (and kernprof), pyrometer's options come
/// before the program: everything from the program on is the program's.
struct ProgramArguments: ParsableArguments {
    @Flag(name: .customShort("m"), help: "Run a library module as a script (like python -m).")
    var runModule = false

    @Flag(name: .customShort("c"), help: "Run program code given as a string (like python -c).")
    var runCommand = false

    @Argument(parsing: .captureForPassthrough,
              help: ArgumentHelp("script.py [args...], or with -m: module [args...], or with -c: code [args...]", valueName: "program"))
    var program: [String] = []

    /// The program and its arguments; a leading `--` (the end of pyrometer's
    /// options) is dropped, so a program whose name starts with `-` can be given.
    var command: [String] { program.first == "--" ? Array(program.dropFirst()) : program }

    var spec: ProgramSpec {
        let kind: ProgramSpec.Kind = runModule ? .module : runCommand ? .command : .script
        return ProgramSpec(kind: kind, target: command[0], arguments: Array(command.dropFirst()))
    }

    /// Options of each command that a program is unlikely to take as its own:
    /// found among the program's arguments, they were probably meant for pyrometer.
    static let distinctiveOptions: [String: Set<String>] = [
        "lines": ["-f", "--function", "--module", "--setup", "--lprof", "--skip-zero", "--rich", "--follow-fork"],
        "memory": ["-f", "--function", "--module", "--precision", "--include-children", "--peak", "--top", "--plot", "--follow-fork"],
        "sample": ["--rate", "--mode", "--idle", "--threads", "--main-thread", "--duration", "--flamegraph", "--html", "--speedscope", "--collapsed", "--pprof", "--follow-fork"],
        "leaks": ["--call", "--repeat", "--interval", "--trace-allocations", "--samples", "--graph", "--fail-on-leak", "--follow-fork"],
    ]

    func validate(command name: String, help: ParsableCommand, quiet: Bool = false) throws {
        // Everything after the first positional belongs to the program, so a help
        // flag given alone arrives here, and so does an option pyrometer does not know.
        if let first = program.first, ["-h", "--help", "-help"].contains(first) { throw CleanExit.helpRequest(help) }
        // After -c the first argument is code, which may start with "-" (python -c "-1").
        if let first = program.first, first.hasPrefix("-"), first != "-", first != "--", !runCommand {
            let option = first.split(separator: "=", maxSplits: 1).first.map(String.init) ?? first
            throw ValidationError("Unknown option '\(option)'")
        }
        if command.isEmpty { throw ValidationError("no program given: pyrometer \(name) script.py [args...]") }
        if runModule && runCommand { throw ValidationError("-m and -c cannot be used together") }
        if !quiet, let note = Self.noteOnOptionsAfterProgram(command.dropFirst(), distinctive: Self.distinctiveOptions[name] ?? []) {
            Terminal.note(note)
        }
    }

    /// A note naming pyrometer's options found among the program's arguments
    /// (up to a `--`), which the program receives, not pyrometer; nil when none.
    static func noteOnOptionsAfterProgram(_ arguments: ArraySlice<String>, distinctive: Set<String>) -> String? {
        var found: [String] = []
        for argument in arguments {
            if argument == "--" { break }
            let option = argument.hasPrefix("--") ? argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument : argument
            if distinctive.contains(option), !found.contains(option) { found.append(option) }
        }
        guard !found.isEmpty else { return nil }
        let names = found.map { "'\($0)'" }.joined(separator: ", ")
        return "\(names) after the program \(found.count == 1 ? "is" : "are") passed to the program; put pyrometer's options before it"
    }
}
