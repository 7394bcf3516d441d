import CPython
import FoundationEssentials
import Glibc

/// Samples RSS and traced bytes on its own thread (it never touches Python), for
/// the memory-over-time plot. Samples thin out as a run grows long, so a long run
/// keeps a bounded, evenly spread series.
final class MemorySampler: @unchecked Sendable {
    private let lock = Lock()
    private var samples: [MemoryTimeline.Sample] = []
    private var running = true
    private var thread: NativeThread?
    private let start: UInt64
    private var interval: UInt32 = 5_000   // microseconds
    private let limit = 4_000
    /// Add the RSS of child processes (`--include-children`).
    private let includeChildren: Bool

    init(start: UInt64, includeChildren: Bool = false) {
        self.start = start
        self.includeChildren = includeChildren
    }

    private func resident() -> Int64 {
        Int64(pyro_resident_bytes() &+ (includeChildren ? ChildProcesses.residentBytes() : 0))
    }

    func begin() {
        let thread = NativeThread { [self] in
            while true {
                let pause: UInt32? = lock.withLock {
                    guard running else { return nil }
                    let traced = MemoryCollector.state.pointee.current
                    samples.append(.init(time: Double(pyro_monotonic_ns() &- start) / 1e9,
                                         resident: resident(), traced: traced))
                    if samples.count >= limit {
                        samples = samples.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
                        interval *= 2
                    }
                    return interval
                }
                guard let pause else { break }
                usleep(pause)
            }
        }
        self.thread = thread
        thread.start()
    }

    /// The series so far, while sampling goes on.
    func samplesSoFar() -> [MemoryTimeline.Sample] {
        lock.withLock { samples }
    }

    /// Stops sampling (adding one last sample) and returns the series.
    func finish() -> [MemoryTimeline.Sample] {
        lock.withLock {
            running = false
            samples.append(.init(time: Double(pyro_monotonic_ns() &- start) / 1e9,
                                 resident: resident(), traced: MemoryCollector.state.pointee.current))
            return samples
        }
    }
}
