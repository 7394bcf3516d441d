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
        every line. A line's time includes the functions it calls.
        """)

    @OptionGroup var target: ProgramOptions

    @Option(name: [.short, .long], help: ArgumentHelp("Output unit of the Time columns, in seconds.", valueName: "seconds"))
    var unit: Double = 1e-6

    @Flag(name: [.customShort("z"), .customLong("skip-zero")], help: "Leave out functions that never ran.")
    var skipZero = false

    @OptionGroup var results: ResultOptions

    func validate() throws {
        try target.validate(command: "lines", help: self)
        if !(unit > 0) || !unit.isFinite { throw ValidationError("--unit must be a positive number of seconds") }
    }

    func run() throws {
        let table = LineTableReport(outputUnit: unit, skipZero: skipZero)
        let session = LineSession(selection: target.selection)
        if unit != 1e-6 { session.outputUnit = unit }
        let outcome = try MeasuredRun(tool: "lines", options: results)
            .run(target.spec, session: session) { profile, destination, failure in
                if profile.functions.isEmpty, !destination.isChild {
                    Terminal.note("no function was timed: mark functions with @profile or choose them with -f/--module")
                }
                if let unmatched = session.unmatchedOptions.first {
                    failure = PyrometerError("\(unmatched) matched no function")
                }
                return table.render(profile)
            }
        Glibc.exit(MeasuredRun.exitStatus(outcome))
    }
}
