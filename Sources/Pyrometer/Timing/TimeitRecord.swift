/// What a timing run saw beyond its result: how each statement was calibrated and
/// the raw seconds of each repeat (what `pyrometer timeit -v` prints, as
/// `python -m timeit -v` does). Not saved with `-o`: the result keeps the
/// per-loop times.
public struct TimeitRecord: Sendable {
    public var result: TimeitResult
    /// One per statement, in command-line order.
    public var logs: [StatementLog]
    /// Set when Ctrl-C, SIGTERM or SIGHUP ended the timing after a whole round.
    public var interruption: Interruption? = nil
}

/// Timing ended early by Ctrl-C (KeyboardInterrupt) or by SIGTERM/SIGHUP (the
/// SystemExit(128 + signal) pyrometer's handler raises): the status to exit with.
public struct Interruption: Sendable, Equatable {
    public var cause: String
    public var exitStatus: Int32

    init?(_ failure: TimingFailure) {
        guard case .raised(let error) = failure else { return nil }
        switch error.typeName {
        case "KeyboardInterrupt":
            cause = "Ctrl-C"
            exitStatus = 130
        case "SystemExit":
            let code = error.exception?.optionalAttribute("code")?.intValue ?? 0
            guard code > 128 else { return nil }
            cause = code == 143 ? "SIGTERM" : code == 129 ? "SIGHUP" : "signal \(code - 128)"
            exitStatus = Int32(code)
        default:
            return nil
        }
    }
}

public struct StatementLog: Sendable, Equatable {
    public var position: Int
    public var statement: String
    public var loops: Int
    /// The loop counts tried by calibration and the seconds each took; empty with `-n`.
    public var calibration: [CalibrationStep]
    /// Seconds each repeat took in all (`loops` runs), in the order they ran.
    public var rawTimes: [Double]

    public init(position: Int, statement: String, loops: Int, calibration: [CalibrationStep], rawTimes: [Double]) {
        self.position = position
        self.statement = statement
        self.loops = loops
        self.calibration = calibration
        self.rawTimes = rawTimes
    }
}

public struct CalibrationStep: Sendable, Equatable {
    public var loops: Int
    public var seconds: Double

    public init(loops: Int, seconds: Double) {
        self.loops = loops
        self.seconds = seconds
    }
}
