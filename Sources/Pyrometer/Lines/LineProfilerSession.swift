import CPython
import Foundation

/// `pyrometer lines`: times every line of the chosen functions while a program
/// runs, and hands a `LineProfile` to `onResult` when it ends.
public final class LineProfilerSession: ProgramObserver {
    /// Receives the profile once the program has ended (however it ended).
    public var onResult: (LineProfile) -> Void
    private let functions: ChosenFunctions
    private var clock = TickClock()

    public init(selection: FunctionSelection, onResult: @escaping (LineProfile) -> Void) {
        self.functions = ChosenFunctions(selection: selection)
        self.onResult = onResult
    }

    /// `-f`/`--module` options that selected no function, known once the program ended.
    public var unmatchedOptions: [String] { functions.unmatchedOptions }

    public func programWillStart(_ program: ProgramSpec) throws {
        try functions.start(program, memoryMode: false)
        clock.start()
    }

    public func programDidEnd() {
        clock.stop()
        functions.stop()
        onResult(makeProfile())
        functions.release()
    }

    private func makeProfile() -> LineProfile {
        var timings: [FunctionTimings] = functions.entries.map { entry in
            FunctionTimings(name: entry.name, file: entry.file, firstLine: entry.firstLine,
                            lines: LineCollector.counters(ofCode: entry.index).map {
                                LineTiming(line: $0.line, hits: Int64($0.hits), time: clock.nanoseconds($0.ticks))
                            },
                            source: functions.source(of: entry))
        }
        timings.sort { ($0.file, $0.firstLine, $0.name) < ($1.file, $1.firstLine, $1.name) }
        return LineProfile(timerUnit: 1e-9, python: PythonVersion.current, command: functions.program?.commandLine ?? [], functions: timings)
    }
}
