import ArgumentParser
import FoundationEssentials
import Glibc
import Pyrometer

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Sample where a whole program spends its time (like py-spy), down to the line.",
        discussion: """
        Runs the program as python would and samples the stack of every thread that \
        runs Python: by default 1000 times per second of each thread's CPU time. At its \
        end it prints the functions with the most samples of their own and in total, \
        and the hottest lines. --mode wall samples in wall time (sleeping and waiting \
        threads included); --mode gil counts only samples of a thread holding the GIL.
        """)

    @Option(name: .customLong("rate"), parsing: .unconditional,
            help: ArgumentHelp("Samples per second (default 1000); lowered with a warning when the machine cannot hold it.", valueName: "hz"))
    var rate: Double = 1000

    @Option(name: .customLong("mode"), help: ArgumentHelp("cpu (CPU time, the default), wall (wall time) or gil (CPU time while holding the GIL).", valueName: "mode"))
    var mode: String = "cpu"

    @Flag(name: .customLong("idle"), help: "Keep the samples of threads that wait (sleep, a lock, I/O): every thread is sampled at the rate in wall time.")
    var idle = false

    @Flag(name: .customLong("threads"), help: "Sample every thread that runs Python (the default).")
    var allThreads = false

    @Flag(name: .customLong("main-thread"), help: "Sample only the main thread.")
    var mainThread = false

    @Option(name: .customLong("duration"), parsing: .unconditional,
            help: ArgumentHelp("Stop sampling after SECONDS (the program goes on).", valueName: "seconds"))
    var duration: Double?

    @Option(name: .customLong("top"), help: ArgumentHelp("Rows in each table of the summary (default 15).", valueName: "n"))
    var top: Int = 15

    @OptionGroup var pictures: SampleOutputOptions

    @OptionGroup var results: ResultOptions

    @OptionGroup var target: ProgramArguments

    var options: SamplerOptions {
        SamplerOptions(rate: rate, mode: SamplerOptions.Mode(rawValue: mode) ?? .cpu, idle: idle, mainThreadOnly: mainThread, duration: duration)
    }

    func validate() throws {
        try target.validate(command: "sample", help: self)
        guard SamplerOptions.Mode(rawValue: mode) != nil else { throw ValidationError("--mode must be one of cpu, wall, gil (not '\(mode)')") }
        if allThreads && mainThread { throw ValidationError("--threads and --main-thread cannot be used together") }
        if top <= 0 { throw ValidationError("--top must be a positive number of rows") }
        if let problem = options.problem() { throw ValidationError(problem) }
    }

    func run() throws {
        try pictures.checkWritable()
        let session = SamplerSession(options: options)
        let summary = SampleSummaryReport(top: top)
        let pictures = self.pictures
        let outcome = try MeasuredRun(tool: "sample", options: results)
            .run(target.spec, session: session) { profile, destination, failure in
                if !destination.isChild {
                    do { try pictures.write(profile) } catch let error as PyrometerError {
                        failure = error
                    } catch {
                        failure = PyrometerError("cannot write the pictures: \(error)")
                    }
                }
                return summary.render(profile)
            }
        Glibc.exit(MeasuredRun.exitStatus(outcome))
    }
}
