/// What a timing run saw beyond its result: how each statement was calibrated and
/// the raw seconds of each repeat (what `pyrometer timeit -v` prints, as
/// `python -m timeit -v` does). Not saved with `-o`: the result keeps the
/// per-loop times.
public struct TimeitRecord: Sendable {
    public var result: TimeitResult
    /// One per statement, in command-line order.
    public var logs: [StatementLog]
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
