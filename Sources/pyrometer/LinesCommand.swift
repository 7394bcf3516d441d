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

    @OptionGroup var target: ProgramOptions

    @Option(name: [.short, .long], help: ArgumentHelp("Output unit of the Time columns, in seconds.", valueName: "seconds"))
    var unit: Double = 1e-6

    @Flag(name: [.customShort("z"), .customLong("skip-zero")], help: "Leave out functions that never ran.")
    var skipZero = false

    @Option(name: [.short, .long], help: ArgumentHelp("Also save the results as JSON (view them again with `pyrometer view`).", valueName: "file.json"))
    var output: String?

    func validate() throws {
        try target.validate(command: "lines", help: self)
        if !(unit > 0) { throw ValidationError("--unit must be a positive number of seconds") }
    }

    func run() throws {
        if let output { try Paths.checkWritable(output) }

        let report = LineTableReport(outputUnit: unit, skipZero: skipZero)
        var failure: PyrometerError?
        let session = LineProfilerSession(selection: target.selection) { _ in }
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
        let status = try ProgramRunner.run(target.spec, observer: session)
        Foundation.exit(status == 0 && failure != nil ? failure!.exitCode : status)
    }
}
