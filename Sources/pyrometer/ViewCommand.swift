import ArgumentParser
import Foundation
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

    func run() throws {
        switch try ResultFile.read(file) {
        case .lines(let profile):
            let seconds = try unit.map { text -> Double in
                guard let value = Double(text), value > 0 else { throw PyrometerError("-u/--unit must be a positive number of seconds for a lines result") }
                return value
            } ?? 1e-6
            Terminal.output(LineTableReport(outputUnit: seconds, skipZero: skipZero).render(profile))
        case .timeit(let result):
            if let unit, TimeFormat.scale(of: unit) == nil {
                throw PyrometerError("-u/--unit must be one of nsec, usec, msec, sec for a timeit result")
            }
            Terminal.output(TimeitTextReport(unit: unit).render(result))
        case .memory(let profile):
            guard let chosen = MemoryTableReport.Unit(rawValue: unit ?? "MiB") else {
                throw PyrometerError("-u/--unit must be one of B, KiB, MiB, GiB for a memory result")
            }
            Terminal.output(MemoryTableReport(unit: chosen, showPeak: peak, top: top ?? 0).render(profile))
        case .leaks(let report):
            Terminal.output(LeakTextReport().render(report))
        }
    }
}
