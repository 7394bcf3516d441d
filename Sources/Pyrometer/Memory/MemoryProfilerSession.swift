import CPython
import Foundation

/// `pyrometer memory`: traces every allocation while a program runs; measures the
/// chosen functions line by line in traced bytes; hands a `MemoryProfile` to
/// `onResult` when the program ends.
public final class MemoryProfilerSession: ProgramObserver {
    public var onResult: (MemoryProfile) -> Void
    /// How many lines the top lists keep; 0 skips attributing allocations to lines.
    public let keepTop: Int
    /// Whether memory over time is kept (for --plot and the JSON file); without it
    /// no sampler thread runs and calls are not timed.
    public let keepTimeline: Bool
    private let functions: ChosenFunctions
    private var sampler: MemorySampler?
    private var startTime: UInt64 = 0

    nonisolated(unsafe) static var tracing = false

    public init(selection: FunctionSelection, keepTop: Int = 50, keepTimeline: Bool = true,
                onResult: @escaping (MemoryProfile) -> Void) {
        self.functions = ChosenFunctions(selection: selection)
        self.keepTop = keepTop
        self.keepTimeline = keepTimeline
        self.onResult = onResult
    }

    public var unmatchedOptions: [String] { functions.unmatchedOptions }

    static var nativeMethods: [NativeMethod] {
        [NativeMethod("_memory_audit", .fastCall(audit), doc: "Audit hook of pyrometer memory: hooks numpy's allocator once numpy is imported.")]
    }

    public func programWillStart(_ program: ProgramSpec) throws {
        try functions.start(program, memoryMode: true)
        MemoryCollector.begin(trackSites: keepTop > 0, recordCalls: keepTimeline)
        startTime = pyro_monotonic_ns()
        MemoryProfilerSession.tracing = true
        try PyRef.importModule("sys").attribute("addaudithook").call(NativeModule.module().attribute("_memory_audit"))
        AllocatorHooks.hookNumpyIfLoaded()
        _ = pyro_resident_bytes()  // opens /proc/self/statm before the sampler thread reads it
        AllocatorHooks.install()
        if keepTimeline {
            let sampler = MemorySampler(start: startTime)
            sampler.begin()
            self.sampler = sampler
        }
    }

    public func programDidEnd() {
        AllocatorHooks.uninstall()
        AllocatorHooks.unhookNumpy()
        MemoryProfilerSession.tracing = false
        let samples = sampler?.finish() ?? []
        functions.stop()
        onResult(makeProfile(samples: samples))
        functions.release()
        MemoryCollector.reset()
    }

    /// numpy's allocator can only be hooked once numpy is loaded: imports are watched.
    private static let audit: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        if MemoryProfilerSession.tracing, AllocatorHooks.numpyHandler == nil, count >= 1, let event = args?[0],
           PyRef(borrowed: event).stringValue == "import" {
            AllocatorHooks.hookNumpyIfLoaded()
        }
        return NativeModule.returnNone()
    }

    // MARK: Results

    private func makeProfile(samples: [MemoryTimeline.Sample]) -> MemoryProfile {
        let memory = MemoryCollector.state
        var symbols = SiteSymbols()
        var measured: [FunctionMemory] = functions.entries.map { entry in
            FunctionMemory(name: entry.name, file: entry.file, firstLine: entry.firstLine,
                           lines: LineCollector.slots(ofCode: entry.index).map {
                               LineMemory(line: $0.line, occurrences: Int64($0.slot.hits),
                                          increment: Int64(bitPattern: $0.slot.ticks),
                                          resident: Int64($0.slot.resident), peak: Int64($0.slot.peak))
                           },
                           source: functions.source(of: entry))
        }
        measured.sort { ($0.file, $0.firstLine, $0.name) < ($1.file, $1.firstLine, $1.name) }

        let siteCount = memory.pointee.siteCount
        let atEnd = (0..<siteCount).map { (memory.pointee.sites[$0].liveBytes, memory.pointee.sites[$0].liveCount) }
        let atPeak = (0..<memory.pointee.snapshotSites).map { (memory.pointee.snapshotBytes[$0], memory.pointee.snapshotCounts[$0]) }
        let stack = (0..<memory.pointee.peakStackDepth).compactMap { index -> StackFrame? in
            guard let code = memory.pointee.peakStackCodes[index] else { return nil }
            let place = symbols.place(code: code, offset: memory.pointee.peakStackOffsets[index])
            return StackFrame(file: place.file, line: place.line, function: place.function)
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF, &usage)
        return MemoryProfile(
            python: PythonVersion.current, command: functions.program?.commandLine ?? [],
            peakTraced: memory.pointee.peak, peakResident: Int64(usage.ru_maxrss) * 1024,
            finalTraced: memory.pointee.current, allocations: memory.pointee.allocations,
            functions: measured,
            topAtEnd: symbols.top(atEnd, keep: keepTop), topAtPeak: symbols.top(atPeak, keep: keepTop),
            peakStack: stack,
            timeline: MemoryTimeline(samples: samples, calls: calls()))
    }

    /// Outermost calls of each chosen function, from the recorded calls and returns.
    private func calls() -> [MemoryTimeline.Call] {
        let memory = MemoryCollector.state
        let names = Dictionary(uniqueKeysWithValues: functions.entries.map { ($0.index, $0.name) })
        var depth: [Int32: Int] = [:]
        var open: [Int32: Double] = [:]
        var calls: [MemoryTimeline.Call] = []
        for index in 0..<memory.pointee.callEventCount {
            let event = memory.pointee.callEvents[index]
            let time = Double(event.nanoseconds &- startTime) / 1e9
            if event.entering {
                if depth[event.code, default: 0] == 0 { open[event.code] = time }
                depth[event.code, default: 0] += 1
            } else if depth[event.code, default: 0] > 0 {
                depth[event.code]! -= 1
                if depth[event.code] == 0, let start = open[event.code] {
                    calls.append(.init(function: names[event.code] ?? "?", start: start, end: time))
                }
            }
        }
        return calls
    }
}

/// Source places of allocation sites (code object + instruction offset).
struct SiteSymbols {
    private var cache: [Int: (file: String, line: Int, function: String)] = [:]

    mutating func place(code: PyPointer, offset: Int32) -> (file: String, line: Int, function: String) {
        let ref = PyRef(borrowed: code)
        let line = Int(PyCode_Addr2Line(UnsafeMutableRawPointer(code).assumingMemoryBound(to: PyCodeObject.self), offset * 2))
        return (ref.optionalAttribute("co_filename")?.stringValue ?? "?", line,
                ref.optionalAttribute("co_qualname")?.stringValue ?? "?")
    }

    /// The source lines holding the most bytes, from per-site (bytes, count).
    mutating func top(_ holdings: [(Int64, Int64)], keep: Int) -> [LineHolding] {
        var byLine: [String: LineHolding] = [:]
        let memory = MemoryCollector.state
        for (site, holding) in holdings.enumerated() where holding.0 > 0 {
            let place: (file: String, line: Int, function: String)
            if let cached = cache[site] {
                place = cached
            } else if let code = memory.pointee.sites[site].code {
                place = self.place(code: code, offset: memory.pointee.sites[site].offset)
                cache[site] = place
            } else {
                place = ("<no Python frame>", 0, "")
            }
            let key = "\(place.file):\(place.line)"
            var line = byLine[key] ?? LineHolding(file: place.file, line: place.line, function: place.function, bytes: 0, count: 0)
            line.bytes += holding.0
            line.count += holding.1
            byLine[key] = line
        }
        return Array(byLine.values.sorted { ($0.bytes, $1.file, $1.line) > ($1.bytes, $0.file, $0.line) }.prefix(keep))
    }
}
