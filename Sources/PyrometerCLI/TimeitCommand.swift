import ArgumentParser
import FoundationEssentials
import Glibc
import Pyrometer

struct TimeitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeit",
        abstract: "Time small statements and compare them (like python -m timeit).",
        discussion: """
        Each STMT is timed with the same setup; several are compared in a table, fastest \
        first, with a Mann-Whitney U test of whether each differs from the fastest. A \
        statement may span lines (put newlines in the argument); several -s join as lines.
        """)

    @Option(name: [.customShort("s"), .customLong("setup")], parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Setup code run once before each timing (repeatable: one line each).", valueName: "code"))
    var setup: [String] = []

    @Option(name: [.customShort("n"), .customLong("number")], parsing: .unconditional,
            help: ArgumentHelp("Loops per repeat (default: calibrated so a repeat takes at least 0.2 s).", valueName: "loops"))
    var number: Int?

    @Option(name: [.customShort("r"), .customLong("repeat")], parsing: .unconditional,
            help: ArgumentHelp("How many times to repeat the timing.", valueName: "repeats"))
    var repeats: Int = 5

    @Option(name: [.customShort("u"), .customLong("unit")], help: ArgumentHelp("Unit of the times: nsec, usec, msec or sec.", valueName: "unit"))
    var unit: String?

    @Flag(name: [.customShort("p"), .customLong("process")], help: "Measure process time (CPU) instead of wall-clock time.")
    var processTime = false

    @Option(name: .customLong("warmup"), parsing: .unconditional, help: ArgumentHelp("Untimed runs of each statement before timing.", valueName: "runs"))
    var warmup: Int = 1

    @Flag(name: .customLong("gc"), help: "Keep garbage collection on while timing (timeit turns it off).")
    var keepGC = false

    @Flag(name: [.customShort("v"), .customLong("verbose")],
          help: "Print the calibration and the raw time of each repeat, as timeit -v does (repeat for more digits).")
    var verbose: Int

    @Flag(name: .customLong("json"), help: "Print the results as JSON.")
    var json = false

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Also save the results as JSON.", valueName: "file.json"))
    var output: String?

    @Argument(help: ArgumentHelp("Statements to time (default: pass).", valueName: "stmt"))
    var statements: [String] = []

    func run() throws {
        let options = TimeitOptions(statements: statements.isEmpty ? ["pass"] : statements, setup: setup, number: number,
                                    repeats: repeats, processTime: processTime, warmup: warmup, keepGC: keepGC)
        try options.validate()
        if let unit, TimeFormat.scale(of: unit) == nil {
            throw PyrometerError("-u/--unit must be one of nsec, usec, msec, sec (not '\(unit)')")
        }
        if let output { try Paths.checkWritable(output) }

        let record: TimeitRecord
        switch try TimingRun.inEmbeddedInterpreter(options) {
        case .success(let value): record = value
        case .failure(let failure):
            if let message = failure.message { Terminal.error(message) }
            Glibc.exit(failure.exitCode)
        }
        var result = record.result
        result.unit = unit
        if verbose > 0 {
            let log = TimeitVerboseReport(verbosity: verbose, unit: unit).render(record.logs)
            // With --json, stdout stays JSON.
            if json { _ = log.withCString { Glibc.write(2, $0, strlen($0)) } } else { Terminal.output(log) }
        }
        if json {
            Terminal.output(String(decoding: try ResultFile.encode(result), as: UTF8.self) + "\n")
        } else {
            Terminal.output(TimeitTextReport(unit: unit).render(result))
        }
        for timing in result.statements {
            for warning in timing.warnings {
                Terminal.warning(result.statements.count == 1 ? warning : "statement \(timing.position): \(warning)")
            }
        }
        if let output { try ResultFile.write(result, to: output) }
        if let stop = record.interruption { Glibc.exit(stop.exitStatus) }
    }
}
