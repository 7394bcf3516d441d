import ArgumentParser
import Foundation
import Pyrometer

struct MemoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "Measure memory line by line (like python -m memory_profiler), and find what holds it.",
        discussion: """
        Runs the program as python would, tracing every allocation. For each function \
        decorated with @profile or chosen with -f/--module it prints memory_profiler's \
        table: the RSS after each line, the bytes the line allocated minus the bytes it \
        freed (callees included), and how often it ran. Always: the peak of traced \
        memory and of RSS, and the stack that reached the peak; with --top, the source \
        lines holding the most memory at the end and at the peak.
        """)

    @OptionGroup var target: ProgramOptions

    @Option(name: [.customShort("u"), .customLong("unit")], help: ArgumentHelp("Unit: B, KiB, MiB or GiB.", valueName: "unit"))
    var unit: String = "MiB"

    @Flag(name: .customLong("peak"), help: "Add a Peak column: the most bytes each line held at once.")
    var showPeak = false

    @Option(name: .customLong("top"), help: ArgumentHelp("List the N source lines (any file) holding the most memory at the end and at the peak.", valueName: "n"))
    var top: Int?

    @Option(name: .customLong("plot"), help: ArgumentHelp("Draw memory over time (RSS and traced bytes) as an SVG chart.", valueName: "file.svg"))
    var plot: String?

    @Option(name: [.short, .long], help: ArgumentHelp("Also save the results as JSON (view them again with `pyrometer view`).", valueName: "file.json"))
    var output: String?

    func validate() throws {
        try target.validate(command: "memory", help: self)
        if MemoryTableReport.Unit(rawValue: unit) == nil { throw ValidationError("--unit must be one of B, KiB, MiB, GiB") }
        if let top, top <= 0 { throw ValidationError("--top must be a positive number of lines") }
    }

    func run() throws {
        for path in [output, plot].compactMap({ $0 }) { try Paths.checkWritable(path) }
        let chosen = !target.functions.isEmpty || !target.modules.isEmpty
        let report = MemoryTableReport(unit: MemoryTableReport.Unit(rawValue: unit)!, showPeak: showPeak, top: top ?? 0)
        var failure: PyrometerError?
        // Lines holding memory are found when they will be shown or saved.
        let keepTop = top != nil || output != nil ? max(top ?? 0, 50) : 0
        let session = MemoryProfilerSession(selection: target.selection, keepTop: keepTop,
                                            keepTimeline: plot != nil || output != nil) { _ in }
        session.onResult = { [unowned session] profile in
            Terminal.output(report.render(profile))
            if profile.functions.isEmpty, top == nil, !chosen {
                Terminal.note("no function was measured line by line: mark functions with @profile, choose them with -f/--module, or list the top lines with --top N")
            }
            do {
                if let output { try ResultFile.write(profile, to: output) }
                if let plot { try MemoryPlot().svg(profile).write(toFile: plot, atomically: true, encoding: .utf8) }
            } catch let error as PyrometerError {
                failure = error
            } catch {
                failure = PyrometerError("cannot write '\(plot ?? "")': \(error.localizedDescription)")
            }
            if let unmatched = session.unmatchedOptions.first { failure = PyrometerError("\(unmatched) matched no function") }
            if let failure { Terminal.error(failure.message) }
        }
        let status = try ProgramRunner.run(target.spec, observer: session)
        Foundation.exit(status == 0 && failure != nil ? failure!.exitCode : status)
    }
}
