/// A failure to report to the user in one line (`pyrometer: error: ...`), with the
/// exit status the command should end with.
public struct PyrometerError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public let exitCode: Int32

    public init(_ message: String, exitCode: Int32 = 2) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}
