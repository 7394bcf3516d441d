import CPython
import FoundationEssentials
import Glibc

/// `pyrometer memory`: traces every allocation; measures the chosen functions
/// line by line in traced bytes. Its result is a `MemoryProfile`.
public final class MemorySession: MeasurementSession {
    /// How many lines the top lists keep; 0 skips attributing allocations to lines.
    public let keepTop: Int
    /// Whether memory over time is kept (for --plot and the JSON file); without it
    /// no sampler thread runs and calls are not timed.
    public let keepTimeline: Bool
    /// Whether the Mem usage column and the timeline add the RSS of child
    /// processes (memory_profiler's `include_children`).
    public let includeChildren: Bool
    /// Whether each allocation is charged to its whole stack (for the memory
    /// flame graph): `stacksAtEnd` and `stacksAtPeak` in the result.
    public let keepStacks: Bool
    private let functions: ChosenFunctions
    private var sampler: MemorySampler?
    private var samples: [MemoryTimeline.Sample] = []
    private var startTime: UInt64 = 0
    private var began = false

    /// The memory session whose allocator hooks are installed (one at a time).
    nonisolated(unsafe) private(set) static weak var running: MemorySession?

    public init(selection: FunctionSelection = FunctionSelection(), keepTop: Int = 50, keepTimeline: Bool = true,
                includeChildren: Bool = false, keepStacks: Bool = false) {
        self.functions = ChosenFunctions(selection: selection, memoryMode: true)
        self.keepStacks = keepStacks
        self.keepTop = keepTop
        self.keepTimeline = keepTimeline
        self.includeChildren = includeChildren
    }

    public var unmatchedOptions: [String] { functions.unmatchedOptions }

    /// The `-u` the user chose, saved with the result (nil: the default).
    public var unit: String?

    static var nativeMethods: [NativeMethod] {
        [NativeMethod("_memory_audit", .fastCall(audit), doc: "Audit hook of pyrometer memory: hooks numpy's allocator once numpy is imported.")]
    }

    public func start(_ context: SessionContext) throws {
        if let other = MemorySession.running, other !== self {
            throw PyrometerError("another pyrometer session is tracing memory; stop it first")
        }
        if AllocatorHooks.installed { throw PyrometerError("pyrometer's allocator hooks are in use by another session") }
        try functions.start(context)
        if !began {
            MemoryCollector.begin(trackSites: keepTop > 0, recordCalls: keepTimeline, includeChildren: includeChildren,
                                  trackStacks: keepStacks)
            startTime = pyro_monotonic_ns()
            began = true
        }
        MemorySession.running = self
        try MemorySession.watchImports()
        AllocatorHooks.hookNumpyIfLoaded()
        _ = pyro_resident_bytes()  // opens /proc/self/statm before the sampler thread reads it
        AllocatorHooks.install()
        if keepTimeline {
            let sampler = MemorySampler(start: startTime, includeChildren: includeChildren)
            sampler.begin()
            self.sampler = sampler
        }
    }

    public func stop() {
        guard MemorySession.running === self else { return }
        AllocatorHooks.uninstall()
        AllocatorHooks.unhookNumpy()
        MemorySession.running = nil
        samples += sampler?.finish() ?? []
        sampler = nil
        functions.stop()
    }

    public func watch(_ object: PyRef) throws {
        try functions.watch(object)
    }

    /// A forked child reporting on its own: line counts and the peak start again;
    /// the sampler thread did not survive the fork, so a new one starts.
    public func forgetCountsAfterFork() {
        functions.forgetCounts()
        MemoryCollector.forgetPeak()
        samples = []
        if sampler != nil {
            let sampler = MemorySampler(start: startTime, includeChildren: includeChildren)
            sampler.begin()
            self.sampler = sampler
        }
    }

    deinit {
        // The allocation table and sites belong to the last memory session.
        if began, MemorySession.running == nil, Py_IsInitialized() != 0 { MemoryCollector.reset() }
    }

    /// sys.addaudithook cannot be undone: one hook per process, which acts only
    /// while a memory session runs.
    nonisolated(unsafe) private static var auditHookAdded = false
    private static func watchImports() throws {
        guard !auditHookAdded else { return }
        try PyRef.importModule("sys").attribute("addaudithook").call(NativeModule.module().attribute("_memory_audit"))
        auditHookAdded = true
    }

    /// numpy's allocator can only be hooked once numpy is loaded: imports are watched.
    private static let audit: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        if MemorySession.running != nil, AllocatorHooks.numpyHandler == nil, count >= 1, let event = args?[0],
           PyRef(borrowed: event).stringValue == "import" {
            AllocatorHooks.hookNumpyIfLoaded()
        }
        return NativeModule.returnNone()
    }

    // MARK: Results

    public func result() -> MemoryProfile {
        let memory = MemoryCollector.state
        var measured: [FunctionMemory] = functions.entries.map { entry in
            FunctionMemory(name: entry.name, file: entry.file, firstLine: entry.firstLine,
                           lines: functions.slots(of: entry).map {
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
            let place = SiteSymbols.place(code: code, offset: memory.pointee.peakStackOffsets[index])
            return StackFrame(file: place.file, line: place.line, function: place.function)
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF, &usage)
        var notes = functions.notes
        if includeChildren {
            notes.append("Mem usage includes the resident memory of child processes (--include-children)")
        }
        if memory.pointee.overflowAllocations > 0 {
            notes.append("the allocation-site table is full (\(MemoryCollector.siteLimit) sites): \(memory.pointee.overflowAllocations) allocations at newer sites are listed as <site table full>")
        }
        if memory.pointee.stacksCut > 0 {
            notes.append("\(memory.pointee.stacksCut) stacks were deeper than \(MemoryCollector.stackLimit) frames: their outer frames are left out of the flame graph")
        }
        if memory.pointee.deferredDropped > 0 {
            notes.append("\(memory.pointee.deferredDropped) allocations and frees made without the GIL were not traced (their queue was full)")
        }
        // The kernel's high-water mark lags its own counters, and a line's reading
        // is estimated between reads: the peak is at least every reading shown.
        let timeline = samples + (sampler?.samplesSoFar() ?? [])
        let readings = measured.flatMap { $0.lines.map(\.resident) } + timeline.map(\.resident)
        let peakResident = max(Int64(usage.ru_maxrss) * 1024, readings.max() ?? 0)
        return MemoryProfile(
            python: PythonVersion.current, command: functions.context.commandLine,
            peakTraced: memory.pointee.peak, peakResident: peakResident,
            finalTraced: memory.pointee.current, allocations: memory.pointee.allocations,
            functions: measured,
            topAtEnd: SiteSymbols.top(atEnd, keep: keepTop), topAtPeak: SiteSymbols.top(atPeak, keep: keepTop),
            peakStack: stack, peakStackCut: memory.pointee.peakStackCut ? true : nil,
            timeline: MemoryTimeline(samples: timeline, calls: calls()),
            notes: notes.isEmpty ? nil : notes, unit: unit, includesChildren: includeChildren ? true : nil,
            stacksAtEnd: keepStacks ? SiteSymbols.stacks(atEnd) : nil, stacksAtPeak: keepStacks ? SiteSymbols.stacks(atPeak) : nil)
    }

    /// Outermost calls of each chosen function, from the recorded calls and returns.
    private func calls() -> [MemoryTimeline.Call] {
        let memory = MemoryCollector.state
        let names = Dictionary(functions.entries.map { ($0.index, $0.name) }, uniquingKeysWith: { first, _ in first })
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
enum SiteSymbols {
    static func place(code: PyPointer, offset: Int32) -> SourcePlace {
        let ref = PyRef(borrowed: code)
        return SourcePlace(file: ref.optionalAttribute("co_filename")?.stringValue ?? "?",
                           line: Int(pyro_code_line(code, offset)),
                           function: ref.optionalAttribute("co_qualname")?.stringValue ?? "?")
    }

    /// Where a site is; nil for the pseudo-sites (no Python frame, table full).
    static func place(ofSite site: Int) -> SourcePlace? {
        let record = MemoryCollector.state.pointee.sites[site]
        guard record.code != nil else { return nil }
        return SourcePlace(file: record.filename.flatMap { PyRef(borrowed: $0).stringValue } ?? "?", line: Int(record.line),
                           function: record.qualname.flatMap { PyRef(borrowed: $0).stringValue } ?? "?")
    }

    /// The bytes held by each stack, from per-site (bytes, count): stack sites
    /// by their frames, the pseudo-sites (and line sites, which hold nothing
    /// while stacks are kept) with no frame.
    static func stacks(_ holdings: [(Int64, Int64)]) -> [StackHolding] {
        let memory = MemoryCollector.state
        var places: [Int: StackFrame] = [:]
        func frame(_ site: Int) -> StackFrame {
            if let known = places[site] { return known }
            let place = self.place(ofSite: site)
            let frame = StackFrame(file: place?.file ?? "?", line: place?.line ?? 0, function: place?.function ?? "?")
            places[site] = frame
            return frame
        }
        var merged: [[StackFrame]: StackHolding] = [:]
        for (site, holding) in holdings.enumerated() where holding.0 > 0 {
            let record = memory.pointee.sites[site]
            let start = Int(record.stackStart)
            let frames = (0..<Int(record.stackDepth)).reversed().map { frame(Int(memory.pointee.stackFrames[start + $0])) }
            var entry = merged[frames] ?? StackHolding(frames: frames, bytes: 0, count: 0)
            entry.bytes += holding.0
            entry.count += holding.1
            merged[frames] = entry
        }
        func key(_ stack: StackHolding) -> String { stack.frames.map { "\($0.function) \($0.file):\($0.line)" }.joined(separator: ";") }
        return merged.values.sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : key($0) < key($1) }
    }

    /// The source lines holding the most bytes, from per-site (bytes, count).
    static func top(_ holdings: [(Int64, Int64)], keep: Int) -> [LineHolding] {
        var byPlace: [SourcePlace: LineHolding] = [:]
        for (site, holding) in holdings.enumerated() where holding.0 > 0 {
            let place = self.place(ofSite: site)
                ?? SourcePlace(file: site == Int(MemoryCollector.overflowSite) ? "<site table full>" : "<no Python frame>",
                               line: 0, function: "")
            var line = byPlace[place] ?? LineHolding(file: place.file, line: place.line, function: place.function, bytes: 0, count: 0)
            line.bytes += holding.0
            line.count += holding.1
            byPlace[place] = line
        }
        return Array(byPlace.values.sorted { ($0.bytes, $1.file, $1.line) > ($1.bytes, $0.file, $0.line) }.prefix(keep))
    }
}
