import ArgumentParser
import Foundation
import Pyrometer

struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Print results saved with -o FILE.json again.")

    @Argument(help: ArgumentHelp("A results file written by -o.", valueName: "file.json"))
    var file: String

    @Option(name: [.short, .long], help: ArgumentHelp("Output unit of the Time columns, in seconds.", valueName: "seconds"))
    var unit: Double = 1e-6

    @Flag(name: [.customShort("z"), .customLong("skip-zero")], help: "Leave out functions that never ran.")
    var skipZero = false

    func run() throws {
        switch try ResultFile.read(file) {
        case .lines(let profile):
            Terminal.output(LineTableReport(outputUnit: unit, skipZero: skipZero).render(profile))
        }
    }
}
