import CPython

/// Converts the hot path's ticks to nanoseconds, calibrated against
/// CLOCK_MONOTONIC from the first start to the last calibration (at each stop,
/// and for a result taken while running).
struct TickClock {
    private var startTicks: UInt64 = 0
    private var startNanoseconds: UInt64 = 0
    private var nanosecondsPerTick: Double = 1

    mutating func start() {
        guard startTicks == 0 else { return }
        startNanoseconds = pyro_monotonic_ns()
        startTicks = pyro_ticks()
    }

    mutating func calibrate() {
        let ticks = pyro_ticks() &- startTicks
        let nanoseconds = pyro_monotonic_ns() &- startNanoseconds
        nanosecondsPerTick = ticks > 0 && nanoseconds > 0 ? Double(nanoseconds) / Double(ticks) : 1
    }

    func nanoseconds(_ ticks: UInt64) -> Int64 {
        Int64((Double(ticks) * nanosecondsPerTick).rounded())
    }
}
