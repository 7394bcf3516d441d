import ArgumentParser
import FoundationEssentials
import Glibc
import Pyrometer

/// The `pyrometer` command: the executable's `main`, and `_pyrometer.cli_main`
/// for the console script of the wheel, which runs it inside the interpreter it
/// was installed into.
public struct PyrometerCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pyrometer",
        abstract: "Performance analysis for Python programs: how fast, where the time goes.",
        version: PyrometerVersion.string,
        subcommands: [LinesCommand.self, MemoryCommand.self, SampleCommand.self, TimeitCommand.self, LeaksCommand.self, ViewCommand.self, CompareCommand.self])
    // Each tool's command parses and wires; the tool itself is in ToolRegistry.

    public init() {}

    /// Parses `arguments` (without the program name), runs the command and exits.
    /// Errors are one line on stderr; usage errors exit 2 as Python tools do.
    public static func run(arguments: [String]) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Glibc.exit(0)
        } catch let error as PyrometerError {
            Terminal.error(error.message)
            Glibc.exit(error.exitCode)
        } catch {
            if exitCode(for: error) == .success {
                Terminal.output(fullMessage(for: error) + "\n")
                Glibc.exit(0)
            }
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            Terminal.error("\(message) (see 'pyrometer --help')")
            Glibc.exit(2)
        }
    }
}

enum Terminal {
    static func error(_ message: String) { write(2, "pyrometer: error: \(message)\n") }
    static func warning(_ message: String) { write(2, "pyrometer: warning: \(message)\n") }
    static func note(_ message: String) { write(2, "pyrometer: note: \(message)\n") }

    /// Reports go to stdout; a closed pipe (`| head`) is not an error worth a crash.
    static func output(_ text: String) { write(1, text) }

    private static func write(_ descriptor: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
