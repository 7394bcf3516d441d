import CPython
import Pyrometer
import PyrometerCLI

/// `_pyrometer.cli_main(arguments)`: the `pyrometer` command run inside this
/// interpreter (the wheel's console script and `python -m pyrometer`). It exits
/// the process with the command's status, as the executable does.
enum CommandLineMethod {
    static var methods: [NativeMethod] {
        [NativeMethod("cli_main", .oneArgument(main),
                      doc: "cli_main(arguments) -> never returns: runs `pyrometer ARGUMENTS` in this interpreter and exits")]
    }

    private static let main: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, list in
        guard let list, let arguments = try? PyRef(borrowed: list).iterate().map({ $0.stringValue ?? $0.description }) else {
            pyro_set_type_error("cli_main(arguments): arguments must be a list of str")
            return nil
        }
        ProgramRunner.flushPythonStreams()
        PyrometerCommand.run(arguments: arguments)
    }
}
