import ArgumentParser
import FoundationEssentials
import Glibc
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

    @Option(name: .customLong("precision"), parsing: .unconditional,
            help: ArgumentHelp("Digits after the decimal point in the Mem usage, Increment and Peak columns (memory_profiler's --precision).", valueName: "n"))
    var precision: Int = 3

    @Flag(name: .customLong("include-children"), help: "Add the resident memory of child processes to the Mem usage column and the plot (as memory_profiler's include_children).")
    var includeChildren = false

    @Option(name: .customLong("plot"), help: ArgumentHelp("Draw memory over time (RSS and traced bytes) as an SVG chart.", valueName: "file.svg"))
    var plot: String?

    @Option(name: .customLong("flamegraph"), help: ArgumentHelp("Draw the memory held at the peak and at the end by stack as interactive flame graphs (SVG).", valueName: "file.svg"))
    var flamegraph: String?

    @Option(name: .customLong("html"), help: ArgumentHelp("Write one self-contained page with the memory held by stack at the peak and at the end.", valueName: "file.html"))
    var html: String?

    @OptionGroup var results: ResultOptions

    /// The pictures asked for: (flag, path, what it is, its endings).
    private var pictures: [(flag: String, path: String, kind: String, endings: [String])] {
        [flamegraph.map { ("--flamegraph", $0, "SVG", ["svg"]) }, html.map { ("--html", $0, "HTML", ["html", "htm"]) }].compactMap { $0 }
    }

    func validate() throws {
        try target.validate(command: "memory", help: self)
        if MemoryTableReport.Unit(rawValue: unit) == nil { throw ValidationError("--unit must be one of B, KiB, MiB, GiB") }
        if let top, top <= 0 { throw ValidationError("--top must be a positive number of lines") }
        if !MemoryTableReport.precisions.contains(precision) {
            let range = MemoryTableReport.precisions
            throw ValidationError("--precision must be a number of digits from \(range.lowerBound) to \(range.upperBound) (not \(precision))")
        }
        if let plot, Paths.pathExtension(plot).lowercased() != "svg" {
            let found = Paths.pathExtension(plot)
            throw ValidationError("--plot writes SVG: give a file ending in .svg (not \(found.isEmpty ? "'\(plot)'" : "'.\(found)'"))")
        }
        for picture in pictures where !picture.endings.contains(Paths.pathExtension(picture.path).lowercased()) {
            let found = Paths.pathExtension(picture.path)
            throw ValidationError("\(picture.flag) writes \(picture.kind): give a file ending in \(picture.endings.map { "." + $0 }.joined(separator: " or ")) (not \(found.isEmpty ? "'\(picture.path)'" : "'.\(found)'"))")
        }
    }

    func run() throws {
        let plotPath = plot.map(Paths.absoluteAtStart)
        if let plotPath { try Paths.checkWritable(plotPath) }
        for picture in pictures { try Paths.checkWritable(picture.path) }
        let picturePaths = pictures.map { (flag: $0.flag, path: $0.path, absolute: Paths.absoluteAtStart($0.path)) }
        let chosen = !target.functions.isEmpty || !target.modules.isEmpty
        let table = MemoryTableReport(unit: MemoryTableReport.Unit(rawValue: unit)!, showPeak: showPeak, top: top ?? 0, precision: precision)
        // Lines holding memory are found when they will be shown or saved.
        let keepTop = top != nil || results.output != nil ? max(top ?? 0, 50) : 0
        let session = MemorySession(selection: target.selection, keepTop: keepTop, keepTimeline: plot != nil || results.output != nil,
                                    includeChildren: includeChildren, keepStacks: !picturePaths.isEmpty)
        if unit != "MiB" { session.unit = unit }
        let topWanted = top != nil
        let outcome = try MeasuredRun(tool: "memory", options: results)
            .run(target.spec, session: session) { profile, destination, failure in
                if profile.functions.isEmpty, !topWanted, !chosen, picturePaths.isEmpty, !destination.isChild {
                    Terminal.note("no function was measured line by line: mark functions with @profile, choose them with -f/--module, or list the top lines with --top N")
                }
                if let plotPath, !destination.isChild {
                    do {
                        try Data(MemoryPlot().svg(profile).utf8).write(to: URL(fileURLWithPath: plotPath))
                    } catch {
                        failure = PyrometerError("cannot write '\(plotPath)': \(error)")
                    }
                }
                if !picturePaths.isEmpty, !destination.isChild {
                    let drawn = MemoryPictures(profile)
                    for picture in picturePaths {
                        let text = picture.flag == "--html" ? drawn.html() : drawn.flameGraph()
                        do { try ResultFile.write(Data(text.utf8), to: picture.absolute) } catch let error as PyrometerError {
                            failure = PyrometerError(error.message.replacing("'\(picture.absolute)'", with: "'\(picture.path)'"))
                        } catch {
                            failure = PyrometerError("cannot write '\(picture.path)': \(error)")
                        }
                    }
                }
                if let unmatched = session.unmatchedOptions.first { failure = PyrometerError("\(unmatched) matched no function") }
                return table.render(profile)
            }
        Glibc.exit(MeasuredRun.exitStatus(outcome))
    }
}
