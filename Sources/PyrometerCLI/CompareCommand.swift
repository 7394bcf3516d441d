import ArgumentParser
import FoundationEssentials
import Glibc
import Pyrometer

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two results of one tool (saved with -o) and gate on the changes.",
        discussion: """
        Prints what changed from OLD to NEW, largest change first. Each --fail-if \
        CONDITION is [SCOPE.]METRIC OP [+|-]NUMBER[UNIT] about the change: OP is one of \
        > >= < <= == !=; a threshold with % is the relative change, otherwise the change \
        itself in ns/us/ms/s, B/KB/MB/GB/KiB/MiB/GiB, pt (percentage points) or a plain \
        number. Examples: "time>+5%", "peak>+10MB", "function.hits!=0". Exit status: 0 \
        when every condition holds, 1 when one fails, 2 for bad usage or files. \
        docs/compare.md lists the metrics of each tool.
        """)

    @Argument(help: ArgumentHelp("The result of the base (written by -o).", valueName: "old.json"))
    var old: String

    @Argument(help: ArgumentHelp("The result of the change, of the same tool.", valueName: "new.json"))
    var new: String

    @Option(name: .customLong("fail-if"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Exit with status 1 when the change meets this condition (repeatable).", valueName: "condition"))
    var conditions: [String] = []

    @Option(name: .customLong("top"), help: ArgumentHelp("Rows per table; the totals are shown whole.", valueName: "n"))
    var top: Int = 10

    @Flag(name: .customLong("json"), help: "Print the comparison as JSON instead of the table.")
    var json = false

    @Option(name: [.short, .long], help: ArgumentHelp("Also save the comparison as JSON.", valueName: "file.json"))
    var output: String?

    func run() throws {
        if top < 0 { throw PyrometerError("--top must be 0 or more, not \(top)") }
        let parsed = try conditions.map(ChangeCondition.init(parsing:))
        if let output { try Paths.checkWritable(output) }
        let comparison: Comparison
        do {
            comparison = try ResultComparison.compare(oldPath: old, newPath: new, conditions: parsed)
        } catch let error as PyrometerError {
            // The message quotes file names and values: one line, nothing that drives the terminal.
            throw PyrometerError(error.message.escapingControlCharacters(), exitCode: error.exitCode)
        }
        let data = try ResultComparison.encode(comparison)
        if let output { try ResultFile.write(data, to: output) }
        Terminal.output(json ? String(decoding: data, as: UTF8.self) + "\n" : ComparisonTextReport(top: top).render(comparison))
        if !comparison.passed { Glibc.exit(1) }
    }
}
