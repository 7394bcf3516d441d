import ArgumentParser
import Foundation
import Pyrometer

struct LinesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lines",
        abstract: "Time every line of chosen functions (like kernprof -l -v).",
        discussion: """
        Runs the program as python would and prints, for each function decorated with \
        @profile (put into builtins, or `from pyrometer import profile`) or chosen with \
        -f/--module, the hits, time, time per hit and share of the function's time of \
        every line. A line's time includes the functions it calls.
        """)

    @Option(name: [.customShort("f"), .customLong("function")],
            help: ArgumentHelp("Time this function: NAME, Class.method, module:func or file.py:func (repeatable).", valueName: "name"))
    var functions: [String] = []

    @Option(name: .customLong("module"),
            help: ArgumentHelp("Time every function and method defined in this module or file (repeatable).", valueName: "module-or-path"))
    var modules: [String] = []

    @Option(name: [.short, .long], help: ArgumentHelp("Output unit of the Time columns, in seconds.", valueName: "seconds"))
    var unit: Double = 1e-6

    @Flag(name: [.customShort("z"), .customLong("skip-zero")], help: "Leave out functions that never ran.")
    var skipZero = false

    @Option(name: [.short, .long], help: ArgumentHelp("Also save the results as JSON (view them again with `pyrometer view`).", valueName: "file.json"))
    var output: String?

    @Flag(name: .customShort("m"), help: "Run a library module as a script (like python -m).")
    var runModule = false

    @Flag(name: .customShort("c"), help: "Run program code given as a string (like python -c).")
    var runCommand = false

    @Argument(parsing: .captureForPassthrough,
              help: ArgumentHelp("script.py [args...], or with -m: module [args...], or with -c: code [args...]", valueName: "program"))
    var program: [String] = []

    func validate() throws {
        // Everything after the first positional belongs to the program, so a help
        // flag given alone arrives here.
        if let first = program.first, ["-h", "--help", "-help"].contains(first) { throw CleanExit.helpRequest(self) }
        if program.isEmpty { throw ValidationError("no program given: pyrometer lines script.py [args...]") }
        if runModule && runCommand { throw ValidationError("-m and -c cannot be used together") }
        if !(unit > 0) { throw ValidationError("--unit must be a positive number of seconds") }
    }

    func run() throws {
        let kind: ProgramSpec.Kind = runModule ? .module : runCommand ? .command : .script
        let spec = ProgramSpec(kind: kind, target: program[0], arguments: Array(program.dropFirst()))
        if let output { try Paths.checkWritable(output) }

        let report = LineTableReport(outputUnit: unit, skipZero: skipZero)
        var failure: PyrometerError?
        let session = LineProfilerSession(selection: FunctionSelection(functions: functions, modules: modules)) { _ in }
        session.onResult = { [unowned session] profile in
            Terminal.output(report.render(profile))
            if profile.functions.isEmpty {
                Terminal.note("no function was timed: mark functions with @profile or choose them with -f/--module")
            }
            if let output {
                do { try ResultFile.write(profile, to: output) } catch let error as PyrometerError { failure = error } catch {}
            }
            if let unmatched = session.unmatchedOptions.first {
                failure = PyrometerError("\(unmatched) matched no function")
            }
            if let failure { Terminal.error(failure.message) }
        }
        let status = try ProgramRunner.run(spec, observer: session)
        Foundation.exit(status == 0 && failure != nil ? failure!.exitCode : status)
    }
}
