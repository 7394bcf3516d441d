import FoundationEssentials
import Glibc
import Pyrometer

/// What the commands that run a program share: the session measures the program;
/// at its end the report is printed and the requested files are written; an
/// error is one line on stderr; the exit status is the program's, or the first
/// failure's when the program succeeded. A forked child followed with
/// --follow-fork writes its report to files named after its pid instead.
struct MeasuredRun {
    /// The tool's name, for a followed child's report file.
    let tool: String
    /// `-o FILE.json`, made absolute against the directory pyrometer started in.
    let output: String?
    let followFork: Bool
    /// `-i SECONDS`: the `-o` file is rewritten with the results so far.
    let outputInterval: Double?
    /// Whether the parent's report goes to stdout (`-qq` keeps only the files).
    var printReport = true
    let startDirectory = FileManager.default.currentDirectoryPath

    init(tool: String, output: String?, followFork: Bool, outputInterval: Double? = nil) {
        self.tool = tool
        self.followFork = followFork
        self.outputInterval = outputInterval
        self.output = output.map(Paths.absoluteAtStart)
    }

    init(tool: String, options: ResultOptions) {
        self.init(tool: tool, output: options.output, followFork: options.followFork, outputInterval: options.outputInterval)
    }

    /// Where a report goes: stdout and `-o` for the parent; for a followed child,
    /// `NAME.<pid>.txt`/`NAME.<pid>.json` beside `-o`, or `pyrometer-TOOL.<pid>.txt`.
    struct Destination {
        let textFile: String?
        let resultFile: String?
        var isChild: Bool { textFile != nil }
    }

    func destination(for role: ProcessRole) -> Destination {
        switch role {
        case .parent:
            return Destination(textFile: nil, resultFile: output)
        case .forkedChild(let pid):
            if let output {
                let stem = output.hasSuffix(".json") ? String(output.dropLast(5)) : output
                return Destination(textFile: "\(stem).\(pid).txt", resultFile: "\(stem).\(pid).json")
            }
            return Destination(textFile: "\(startDirectory)/pyrometer-\(tool).\(pid).txt", resultFile: nil)
        }
    }

    /// Runs the program; `report` renders the result (nil: there is no report to
    /// show or save), and sets a failure to show after it (an option that matched
    /// nothing, a file it could not write).
    /// Returns the program's exit status and the first failure.
    func run<Session: MeasurementSession>(
        _ program: ProgramSpec, session: Session,
        report: @escaping (Session.Result, Destination, inout PyrometerError?) -> String?
    ) throws -> (status: Int32, failure: PyrometerError?) {
        if let output { try Paths.checkWritable(output) }
        var failure: PyrometerError?
        let snapshots = outputInterval.flatMap { interval in
            output.map { path in
                (interval: interval, handle: { (result: Session.Result) in
                    do {
                        try ResultFile.write(result, to: path)
                    } catch let error as PyrometerError {
                        Terminal.error(error.message)
                    } catch {
                        Terminal.error("cannot write '\(path)': \(error)")
                    }
                })
            }
        }
        let status = try ProgramRunner.run(program, session: session, followFork: followFork,
                                           snapshots: snapshots) { result, role in
            let destination = destination(for: role)
            guard let text = report(result, destination, &failure) else {
                if let failure { Terminal.error(failure.message) }
                return
            }
            do {
                if let path = destination.textFile {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
                } else if printReport {
                    Terminal.output(text)
                }
                if let path = destination.resultFile { try ResultFile.write(result, to: path) }
            } catch let error as PyrometerError {
                failure = failure ?? error
            } catch {
                failure = failure ?? PyrometerError("cannot write the report: \(error)")
            }
            if let failure { Terminal.error(failure.message) }
        }
        return (status, failure)
    }

    /// The status to exit with: the program's, unless it succeeded and pyrometer failed.
    static func exitStatus(_ outcome: (status: Int32, failure: PyrometerError?)) -> Int32 {
        outcome.status == 0 && outcome.failure != nil ? outcome.failure!.exitCode : outcome.status
    }
}
