import CPython
import FoundationEssentials

/// `pyrometer lines`: times every line of the chosen functions. Its result is a
/// `LineProfile`.
public final class LineSession: MeasurementSession {
    private let functions: ChosenFunctions
    private var clock = TickClock()
    /// Run before the program's first line, once (kernprof's `-s`).
    private var setup: SetupCode?

    public init(selection: FunctionSelection = FunctionSelection(), setup: SetupCode? = nil) {
        self.functions = ChosenFunctions(selection: selection, memoryMode: false)
        self.setup = setup
    }

    /// The `-u` the user chose, saved with the result (nil: the default).
    public var outputUnit: Double?

    /// `-f`/`--module` options that selected no function, known after `stop`.
    public var unmatchedOptions: [String] { functions.unmatchedOptions }

    public func start(_ context: SessionContext) throws {
        try functions.start(context)
        if let setup, let program = context.program {
            // Run with the session started, so that what it imports is found by
            // -f/--module and its @profile marks; what it ran is then forgotten.
            self.setup = nil
            do {
                try setup.run(before: program)
            } catch {
                functions.stop()
                throw error
            }
            functions.forgetCounts()
        }
        clock.start()
    }

    public func stop() {
        clock.calibrate()
        functions.stop()
    }

    public func watch(_ object: PyRef) throws {
        try functions.watch(object)
    }

    public func forgetCountsAfterFork() {
        functions.forgetCounts()
    }

    /// The counts so far: after `stop`, or while running (holding the GIL).
    public func result() -> LineProfile {
        clock.calibrate()
        var timings: [FunctionTimings] = functions.entries.map { entry in
            FunctionTimings(name: entry.name, file: entry.file, firstLine: entry.firstLine,
                            lines: functions.slots(of: entry).map {
                                LineTiming(line: $0.line, hits: Int64($0.slot.hits), time: clock.nanoseconds($0.slot.ticks))
                            },
                            source: functions.source(of: entry))
        }
        timings.sort { ($0.file, $0.firstLine, $0.name) < ($1.file, $1.firstLine, $1.name) }
        return LineProfile(timerUnit: 1e-9, python: PythonVersion.current, command: functions.context.commandLine, functions: timings,
                           notes: functions.notes.isEmpty ? nil : functions.notes, outputUnit: outputUnit)
    }
}
