import ArgumentParser
import FoundationEssentials
import Glibc
import Pyrometer

struct LinesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lines",
        abstract: "Time every line of chosen functions (like kernprof -l -v).",
        discussion: """
        Runs the program as python would and prints, for each function decorated with \
        @profile (put into builtins, or `from pyrometer import profile`) or chosen with \
        -f/--module, the hits, time, time per hit and share of the function's time of \
        every line. A line's time includes the functions it calls. pyrometer's options \
        come before the program: what follows it is the program's.
        """)

    @OptionGroup var target: ProgramOptions

    // Unconditional, so that "-u -1" is a negative unit, not a missing one.
    @Option(name: [.short, .long], parsing: .unconditional,
            help: ArgumentHelp("Output unit of the Time columns, in seconds: a positive number.", valueName: "seconds"))
    var unit: Double = 1e-6

    @Flag(name: [.customShort("z"), .customLong("skip-zero")], help: "Leave out functions that never ran.")
    var skipZero = false

    @OptionGroup var results: ResultOptions

    @Option(name: [.customShort("s"), .customLong("setup")], parsing: .unconditional,
            help: ArgumentHelp("Run this Python file (or code) before the program, in a namespace of its own and outside the measurement (kernprof's -s).", valueName: "file.py-or-code"))
    var setup: String?

    @Flag(name: [.customShort("q"), .customLong("quiet")],
          help: "Less chatter: -q leaves out pyrometer's notes; -qq the table on stdout too (the -o and --lprof files are still written).")
    var quiet: Int

    @Flag(name: [.customShort("r"), .customLong("rich")],
          help: "Colour the table (Python syntax, figures) when stdout is a terminal, TERM is not dumb and NO_COLOR is not set.")
    var rich = false

    @Option(name: .customLong("lprof"),
            help: ArgumentHelp("Also save the results as line_profiler's .lprof file (a pickle: load only files you trust), for `python -m line_profiler FILE.lprof`.", valueName: "file.lprof"))
    var lprof: String?


    func validate() throws {
        try target.validate(command: "lines", help: self, quiet: quiet > 0)
        if !(unit > 0) || !unit.isFinite {
            throw ValidationError("-u/--unit must be a positive number of seconds, such as 1e-3 (not \(unit))")
        }
        if let setup, setup.isEmpty { throw ValidationError("-s/--setup needs a file or code") }
    }

    func run() throws {
        let setupCode = try setup.map(SetupCode.parse)
        let lprofPath = lprof.map(Paths.absoluteAtStart)
        if let lprofPath { try Paths.checkWritable(lprofPath) }
        let table = LineTableReport(outputUnit: unit, skipZero: skipZero, colors: rich && Self.terminalShowsColors())
        let session = LineSession(selection: target.selection, setup: setupCode)
        if unit != 1e-6 { session.outputUnit = unit }
        let notes = quiet == 0
        var measured = MeasuredRun(tool: "lines", options: results)
        measured.printReport = quiet < 2
        let outcome = try measured.run(target.spec, session: session) { profile, destination, failure in
            if profile.functions.isEmpty, notes, !destination.isChild {
                Terminal.note("no function was timed: mark functions with @profile or choose them with -f/--module")
            }
            if let unmatched = session.unmatchedOptions.first {
                failure = PyrometerError("\(unmatched) matched no function")
            }
            if let lprofPath {
                // A followed child's file is named after its pid, as its JSON file is.
                let stem = lprofPath.hasSuffix(".lprof") ? String(lprofPath.dropLast(6)) : lprofPath
                let path = destination.isChild ? "\(stem).\(getpid()).lprof" : lprofPath
                do {
                    try LprofFile.write(profile, to: path)
                } catch let error as PyrometerError {
                    failure = failure ?? error
                } catch {
                    failure = failure ?? PyrometerError("cannot write '\(path)': \(error)")
                }
            }
            return table.render(profile)
        }
        Glibc.exit(MeasuredRun.exitStatus(outcome))
    }

    /// Whether colours may be written to stdout: a terminal, TERM not "dumb",
    /// NO_COLOR not set (https://no-color.org: set to anything but "").
    static func terminalShowsColors() -> Bool {
        guard isatty(1) == 1 else { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        if let noColor = getenv("NO_COLOR"), noColor.pointee != 0 { return false }
        return true
    }
}
