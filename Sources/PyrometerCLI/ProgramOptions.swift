import ArgumentParser
import Pyrometer

/// What to run and which functions to measure: shared by `lines` and `memory`.
struct ProgramOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("function")],
            help: ArgumentHelp("Measure this function: NAME, Class.method, module:func or file.py:func (repeatable).", valueName: "name"))
    var functions: [String] = []

    @Option(name: .customLong("module"),
            help: ArgumentHelp("Measure every function and method defined in this module or file (repeatable).", valueName: "module-or-path"))
    var modules: [String] = []

    @OptionGroup var run: ProgramArguments

    var program: [String] { run.program }
    var selection: FunctionSelection { FunctionSelection(functions: functions, modules: modules) }
    var spec: ProgramSpec { run.spec }

    func validate(command: String, help: ParsableCommand) throws {
        try run.validate(command: command, help: help)
    }
}

/// The program to run, as `python` takes it: script.py, -m module or -c code,
/// then its arguments.
struct ProgramArguments: ParsableArguments {
    @Flag(name: .customShort("m"), help: "Run a library module as a script (like python -m).")
    var runModule = false

    @Flag(name: .customShort("c"), help: "Run program code given as a string (like python -c).")
    var runCommand = false

    @Argument(parsing: .captureForPassthrough,
              help: ArgumentHelp("script.py [args...], or with -m: module [args...], or with -c: code [args...]", valueName: "program"))
    var program: [String] = []

    var spec: ProgramSpec {
        let kind: ProgramSpec.Kind = runModule ? .module : runCommand ? .command : .script
        return ProgramSpec(kind: kind, target: program[0], arguments: Array(program.dropFirst()))
    }

    func validate(command: String, help: ParsableCommand) throws {
        // Everything after the first positional belongs to the program, so a help
        // flag given alone arrives here.
        if let first = program.first, ["-h", "--help", "-help"].contains(first) { throw CleanExit.helpRequest(help) }
        if program.isEmpty { throw ValidationError("no program given: pyrometer \(command) script.py [args...]") }
        if runModule && runCommand { throw ValidationError("-m and -c cannot be used together") }
    }
}
