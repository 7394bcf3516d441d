import ArgumentParser
import FoundationEssentials
import Glibc
import Pyrometer

struct LeaksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaks",
        abstract: "Find what keeps growing: a complete census of the heap, again and again.",
        discussion: """
        Runs the program as python would and takes a complete census of its objects \
        (every object, not only those the garbage collector tracks) every --interval \
        seconds; or, with --call module:function, runs the program (if given) and then \
        calls the function --repeat times with a census after each call. Reports the \
        types whose count or bytes keep growing, with their growth per second or per \
        call, and for the worst: a sample object, the chain of references from a root \
        (a module global or a live frame's local) down to it, and with \
        --trace-allocations the line that allocated it. A program that does not leak \
        is reported clean.
        """)

    @Option(name: .customLong("interval"), help: ArgumentHelp("Seconds between censuses while the program runs.", valueName: "seconds"))
    var interval: Double = 1.0

    @Option(name: .customLong("call"), help: ArgumentHelp("Call this function repeatedly after the program (if any) has run, a census after each call (module:function or path/to/file.py:function).", valueName: "module:function"))
    var call: String?

    @Option(name: .customLong("repeat"), help: ArgumentHelp("How many measured calls of --call (after the warm-up calls).", valueName: "n"))
    var repeats: Int = 10

    @Option(name: .customLong("warmup"), help: ArgumentHelp("Calls of --call made before the first census, not measured.", valueName: "n"))
    var warmups: Int = 1

    @Option(name: .customLong("confidence"), help: ArgumentHelp("How sure the trend test must be that a type grows (0.5 to 0.999).", valueName: "p"))
    var confidence: Double = LeakCriteria.defaultConfidence

    @Option(name: .customLong("min-objects"), help: ArgumentHelp("Noise floor: growth of fewer objects over the judged censuses is not a leak.", valueName: "n"))
    var minObjects: Int = LeakCriteria.defaultMinObjects

    @Option(name: .customLong("min-bytes"), help: ArgumentHelp("Noise floor of a type judged by its bytes: growth of fewer bytes is not a leak.", valueName: "n"))
    var minBytes: Int = LeakCriteria.defaultMinBytes

    @Flag(name: .customLong("trace-allocations"), help: "Record where objects are allocated, to show the line that made a leaked one (slower).")
    var traceAllocations = false

    @Option(name: .customLong("samples"), help: ArgumentHelp("How many of the worst growing types get a sample object and its chain.", valueName: "n"))
    var samples: Int = 3

    @Option(name: .customLong("graph"), help: ArgumentHelp("Draw the chains to the sample objects (.dot, or .png/.svg with Graphviz).", valueName: "file"))
    var graph: String?

    @Flag(name: .customLong("fail-on-leak"), help: "Exit with status 1 when a type keeps growing, or when the run is too short to judge (for CI).")
    var failOnLeak = false

    @Option(name: [.short, .long], help: ArgumentHelp("Also save the results as JSON (view them again with `pyrometer view`).", valueName: "file.json"))
    var output: String?

    @Flag(name: .customLong("follow-fork"), help: "A forked child reports too, to files named after its pid (by default children are silent).")
    var followFork = false

    @OptionGroup var target: ProgramArguments

    func validate() throws {
        if call == nil || !target.program.isEmpty {
            try target.validate(command: "leaks", help: self)
        }
        guard interval > 0, interval.isFinite else { throw ValidationError("--interval must be a positive number of seconds") }
        guard confidence >= 0.5, confidence <= 0.999 else { throw ValidationError("--confidence must be between 0.5 and 0.999") }
        // A census after the warm-up and one after each call: enough for the trend test.
        let fewest = LeakDetector.minimumCensuses(confidence: confidence) - 1
        if repeats < fewest { throw ValidationError("--repeat must be at least \(fewest) (growth is judged over the calls)") }
        if samples < 0 { throw ValidationError("--samples cannot be negative") }
        if warmups < 0 { throw ValidationError("--warmup cannot be negative") }
        if minObjects < 1 { throw ValidationError("--min-objects must be at least 1") }
        if minBytes < 1 { throw ValidationError("--min-bytes must be at least 1") }
        if let call, CallTarget(call) == nil {
            throw ValidationError("--call needs module:function or file.py:function, got '\(call)'")
        }
        if let graph, ![".dot", ".gv", ".png", ".svg", ".pdf"].contains(where: graph.hasSuffix) {
            throw ValidationError("--graph must end in .dot, .png, .svg or .pdf")
        }
    }

    func run() throws {
        let graphPath = graph.map(Paths.absoluteAtStart)
        if let graphPath { try Paths.checkWritable(graphPath) }
        var options = LeakHunterSession.Options()
        options.interval = interval
        options.call = try call.map { try Self.callAtStart($0, script: target.program.isEmpty ? nil : target.spec) }
        options.callAsGiven = call
        options.repeats = repeats
        options.warmups = warmups
        options.criteria = LeakCriteria(confidence: confidence, minObjects: minObjects, minBytes: minBytes)
        options.traceAllocations = traceAllocations
        options.samples = samples
        var leaked = false
        var judged = true
        var problem: String?
        let session = LeakHunterSession(options: options)
        let program = target.program.isEmpty ? ProgramSpec(kind: .command, target: "pass") : target.spec
        let outcome = try MeasuredRun(tool: "leaks", output: output, followFork: followFork)
            .run(program, session: session) { report, destination, failure in
                // A --call that cannot be resolved: no report, the error below.
                if session.setupError != nil { return nil }
                leaked = !report.leaks.isEmpty
                judged = report.problem == nil
                problem = report.problem
                if let graphPath, !destination.isChild {
                    do {
                        let drawn = try GraphFile.write(LeakGraph.make(report), to: graphPath)
                        if let image = drawn.imagePath {
                            Terminal.note("chains drawn in \(image)")
                        } else {
                            Terminal.note(drawn.note ?? "chains written to \(drawn.dotPath)")
                        }
                    } catch let error as PyrometerError {
                        failure = error
                    } catch {
                        failure = PyrometerError("\(error)")
                    }
                }
                return LeakTextReport().render(report)
            }
        if let error = session.setupError {
            Terminal.error(error.message)
            Glibc.exit(error.exitCode)
        }
        if outcome.status != 0 || outcome.failure != nil { Glibc.exit(MeasuredRun.exitStatus(outcome)) }
        if !judged && call != nil { Glibc.exit(1) }
        if failOnLeak && !judged && !leaked, let problem {
            // No verdict is no pass: CI must not take a run too short to judge for a clean one.
            Terminal.error("--fail-on-leak: \(problem)")
            Glibc.exit(1)
        }
        Glibc.exit(failOnLeak && leaked ? 1 : 0)
    }

    /// `--call` with a relative file made absolute now, before the program runs
    /// (and perhaps changes directory); a missing file is refused before it runs.
    /// The script being run, named by its path, is `__main__`.
    static func callAtStart(_ call: String, script: ProgramSpec?) throws -> String {
        guard let target = CallTarget(call), let file = target.file else { return call }
        switch Paths.isDirectory(Paths.absoluteAtStart(file)) {
        case nil: throw PyrometerError("--call: no such file '\(file)'")
        case true?: throw PyrometerError("--call: '\(file)' is a directory, not a Python file")
        case false?: break
        }
        if let script, script.kind == .script, let mine = realPath(file), mine == realPath(script.target) {
            return "__main__:\(target.function)"
        }
        return target.absolute
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
