import ArgumentParser
import Pyrometer

/// Where the results of a measured run go besides the terminal: shared by the
/// commands that run a program under a session (`lines`, `memory`).
struct ResultOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("Also save the results as JSON (view them again with `pyrometer view`).", valueName: "file.json"))
    var output: String?

    @Option(name: [.customShort("i"), .customLong("output-interval")], parsing: .unconditional,
            help: ArgumentHelp("While the program runs, rewrite the -o file every SECONDS with the results so far (for long-running programs).", valueName: "seconds"))
    var outputInterval: Double?

    @Flag(name: .customLong("follow-fork"), help: "A forked child reports too, to files named after its pid (by default children are silent).")
    var followFork = false

    func validate() throws {
        if let outputInterval {
            if !(outputInterval > 0) || !outputInterval.isFinite {
                throw ValidationError("-i/--output-interval must be a positive number of seconds")
            }
            if output == nil { throw ValidationError("-i/--output-interval needs -o FILE.json to write the results to") }
        }
    }
}
