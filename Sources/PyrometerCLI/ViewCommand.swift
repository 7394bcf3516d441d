import ArgumentParser
import FoundationEssentials
import Glibc
import Pyrometer

struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Print results saved with -o FILE.json again.")

    @Argument(help: ArgumentHelp("A results file written by -o.", valueName: "file.json"))
    var file: String

    @Option(name: [.short, .long], help: ArgumentHelp("Unit of the times: seconds for lines (e.g. 1e-3), nsec/usec/msec/sec for timeit.", valueName: "unit"))
    var unit: String?

    @Flag(name: [.customShort("z"), .customLong("skip-zero")], help: "Leave out functions that never ran (lines).")
    var skipZero = false

    @Flag(name: .customLong("peak"), help: "Show the Peak column (memory).")
    var peak = false

    @Option(name: .customLong("top"), help: ArgumentHelp("List the N lines holding the most memory (memory).", valueName: "n"))
    var top: Int?

    @OptionGroup(title: "Pictures of a sample result")
    var pictures: SampleOutputOptions

    func run() throws {
        if let top, top < 0 { throw PyrometerError("--top must be 0 or more, not \(top)") }
        do {
            let (tool, data) = try ResultFile.load(file)
            if !pictures.isEmpty {
                guard tool.format == SampleProfile.format else {
                    throw PyrometerError("\(pictures.flags) \(pictures.flags.contains(",") ? "draw" : "draws") sample results; '\(file)' holds \(tool.format) results")
                }
                try pictures.checkWritable()
                try pictures.write(try ResultFile.read(SampleProfile.self, from: file))
            }
            Terminal.output(try tool.view(data, file, ViewOptions(unit: unit, skipZero: skipZero, peak: peak, top: top)))
        } catch let error as PyrometerError {
            // The message quotes the file's name and values: one line, nothing
            // that drives the terminal.
            throw PyrometerError(error.message.escapingControlCharacters(), exitCode: error.exitCode)
        }
    }
}
