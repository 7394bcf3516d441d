import ArgumentParser
import Foundation
import Pyrometer

@main
struct PyrometerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pyrometer",
        abstract: "Performance analysis for Python programs: how fast, where the time goes.",
        version: PyrometerVersion.string,
        subcommands: [LinesCommand.self, MemoryCommand.self, TimeitCommand.self, LeaksCommand.self, ViewCommand.self])
    // Each tool's command parses and wires; the tool itself is in ToolRegistry.

    /// Errors are one line on stderr; usage errors exit 2 as Python tools do.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as PyrometerError {
            Terminal.error(error.message)
            Foundation.exit(error.exitCode)
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            Terminal.error("\(message) (see 'pyrometer --help')")
            Foundation.exit(2)
        }
    }
}

enum Terminal {
    static func error(_ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data("pyrometer: error: \(message)\n".utf8))
    }

    static func warning(_ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data("pyrometer: warning: \(message)\n".utf8))
    }

    static func note(_ message: String) {
        try? FileHandle.standardError.write(contentsOf: Data("pyrometer: note: \(message)\n".utf8))
    }

    /// Reports go to stdout; a closed pipe (`| head`) is not an error worth a crash.
    static func output(_ text: String) {
        try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
    }
}
