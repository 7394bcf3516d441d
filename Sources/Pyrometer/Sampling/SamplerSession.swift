import CPython
import FoundationEssentials
import Glibc

/// What `pyrometer sample` asks of the sampler.
public struct SamplerOptions: Sendable, Equatable {
    public enum Mode: String, CaseIterable, Sendable {
        case cpu, wall, gil
    }

    public var rate: Double = 1000
    public var mode: Mode = .cpu
    /// Keep samples of threads that wait (sleep, a lock, I/O): every thread is
    /// sampled at every tick, in wall time. Always so in wall mode.
    public var idle = false
    /// Only the main thread (else every thread that runs Python).
    public var mainThreadOnly = false
    /// Stop sampling after this many seconds (the program goes on); nil: until the end.
    public var duration: Double?

    public init(rate: Double = 1000, mode: Mode = .cpu, idle: Bool = false, mainThreadOnly: Bool = false, duration: Double? = nil) {
        self.rate = rate
        self.mode = mode
        self.idle = idle
        self.mainThreadOnly = mainThreadOnly
        self.duration = duration
    }

    /// The highest rate taken: an interval of 20 µs.
    public static let maximumRate = 50_000.0

    /// A one-line complaint about an option, or nil.
    public func problem() -> String? {
        if !(rate > 0) || !rate.isFinite { return "--rate must be a positive number of samples per second" }
        if rate > Self.maximumRate { return "--rate must be at most \(Int(Self.maximumRate)) samples per second (not \(Text.format("%g", rate)))" }
        if let duration, !(duration > 0) || !duration.isFinite { return "--duration must be a positive number of seconds" }
        return nil
    }

    var everyTick: Bool { mode == .wall || idle }
}

/// `pyrometer sample`: a statistical sampler of every Python thread (see
/// docs/sample.md). The ticker and the signal handler are C (sampler.c); this
/// session registers the threads, reads their rings holding the GIL (an engine
/// thread every few milliseconds, and whenever a code object is about to go
/// away), names each code object once, and gathers the stacks.
public final class SamplerSession: MeasurementSession {
    public let options: SamplerOptions
    private var aggregate = StackAggregate()
    private var command: [String] = []

    /// A code object seen in samples, named once while it is alive.
    private struct NamedCode {
        var function: String
        var file: String
        var firstLine: Int
        var frames: [Int32: Int] = [:]  // instruction offset -> frame index
    }
    private var codes: [UInt: NamedCode] = [:]

    /// A thread being sampled: its slot in the C sampler and its place in the result.
    private struct Watched {
        var slot: Int32
        var thread: Int
        var nativeID: UInt
    }
    private var watched: [UInt: Watched] = [:] {  // by thread state
        didSet { slotThread = Dictionary(uniqueKeysWithValues: watched.values.map { ($0.slot, $0.thread) }) }
    }
    private var slotThread: [Int32: Int] = [:]
    private var threadIndex: [UInt: Int] = [:]   // native id -> index in aggregate.threads
    private var ignoredStates = Set<UInt>()      // the engine's own threads
    private var mainIdent: UInt = 0

    private var dropped: [String: Int64] = ["torn": 0, "codeFreed": 0, "bufferFull": 0]
    private var expectedRetired: Int64 = 0
    private var tornRetired: Int64 = 0
    private var fullRetired: Int64 = 0
    private var firstTime: UInt64 = 0
    private var lastTime: UInt64 = 0
    private var warnedLowered: UInt64 = 0
    private var notes: [String] = []

    private var running = false
    private var draining = false
    private var drainThread: NativeThread?
    private var drainOwner: pid_t = 0
    private var stopDrain = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    private var watcher: Int32 = -1

    /// The running session, for the code-destruction hook (one at a time).
    nonisolated(unsafe) private static var current: SamplerSession?

    public init(options: SamplerOptions) {
        self.options = options
        stopDrain.initialize(to: 0)
    }

    deinit { stopDrain.deallocate() }

    public func start(_ context: SessionContext) throws {
        guard !running else { return }
        if SamplerSession.current != nil { throw PyrometerError("another sampler is running: stop it first") }
        if command.isEmpty { command = context.commandLine }
        if context.program != nil {
            try Self.provideProfileDecorator()
            // What the driver imports after the session starts (its SIGTERM
            // handlers) is imported now, so that it is not sampled as the program.
            _ = try? PyRef.importModule("signal")
        }
        if let problem = options.problem() { throw PyrometerError(problem) }
        guard pyro_sampler_install() == 0 else { throw PyrometerError("cannot install the SIGPROF handler: \(String(cString: strerror(errno)))") }
        // Without the hook a code object could be freed under a sample: no sampling.
        watcher = pyro_watch_code_destruction(SamplerSession.codeDestroyed)
        guard watcher >= 0 else {
            pyro_sampler_uninstall()
            throw PyrometerError("cannot watch code objects (all code watchers are taken): the sampler cannot run")
        }
        SamplerSession.current = self
        if let threading = try? PyRef.importModule("threading"),
           let ident = try? threading.attribute("main_thread").call().attribute("ident").intValue {
            mainIdent = UInt(ident)
        }
        discoverThreads()
        running = true
        guard pyro_sampler_start(options.rate, options.everyTick ? 1 : 0, options.mode == .wall ? 1 : 0, options.duration ?? 0) == 0 else {
            stop()
            throw PyrometerError("cannot start the sampler thread")
        }
        startDrainThread()
    }

    /// A program written for kernprof (`@profile` without an import) runs
    /// sampled as it runs under plain Python with line_profiler's explicit
    /// profile: the decorator returns the function unchanged.
    private static func provideProfileDecorator() throws {
        let builtins = try PyRef.importModule("builtins")
        guard builtins.optionalAttribute("profile") == nil else { return }
        let decorator = try builtins.attribute("eval")
            .call(try PyRef.string("lambda func=None, *args, **kwargs: func if callable(func) else (lambda f: f)"), try PyRef(owned: PyDict_New()))
        try builtins.setAttribute("profile", decorator)
    }

    private func startDrainThread() {
        stopDrain.pointee = 0
        drainOwner = getpid()
        let flag = stopDrain
        let thread = NativeThread { [self] in
            // One thread state for the thread's whole life, so that it can be
            // left out of the sampled threads.
            let gilState = PyGILState_Ensure()
            ignoredStates.insert(UInt(bitPattern: PyGILState_GetThisThreadState()))
            var released = PyEval_SaveThread()
            var round = 0
            while pyro_atomic_load(flag) == 0 {
                usleep(10_000)
                round += 1
                // Threads are looked for every 50 ms; rings read when they hold samples.
                if pyro_atomic_load(flag) != 0 { break }
                if pyro_sampler_pending() != 0 || round % 5 == 0 {
                    PyEval_RestoreThread(released)
                    if running {
                        drain()
                        if round % 5 == 0 { discoverThreads() }
                        warnIfLowered()
                    }
                    released = PyEval_SaveThread()
                }
            }
            PyEval_RestoreThread(released)
            PyGILState_Release(gilState)
        }
        drainThread = thread
        thread.start()
    }

    public func stop() {
        guard running else { return }
        running = false
        pyro_sampler_stop()
        if let thread = drainThread {
            drainThread = nil
            pyro_atomic_store(stopDrain, 1)
            if drainOwner == getpid() {
                let saved = PyEval_SaveThread()
                thread.join()
                PyEval_RestoreThread(saved)
            }
        }
        drain()
        for (state, entry) in watched { retire(state, entry) }
        watched = [:]
        warnIfLowered()
        pyro_unwatch_code_destruction(watcher)
        watcher = -1
        pyro_sampler_uninstall()
        SamplerSession.current = nil
    }

    public func forgetCountsAfterFork() {
        pyro_sampler_forget_after_fork()
        aggregate = StackAggregate()
        watched = [:]
        threadIndex = [:]
        ignoredStates = []
        dropped = ["torn": 0, "codeFreed": 0, "bufferFull": 0]
        expectedRetired = 0
        tornRetired = 0
        fullRetired = 0
        firstTime = 0
        lastTime = 0
        drainThread = nil
        guard running else { return }
        _ = pyro_sampler_install()
        discoverThreads()
        if pyro_sampler_start(options.rate, options.everyTick ? 1 : 0, options.mode == .wall ? 1 : 0, options.duration ?? 0) == 0 {
            startDrainThread()
        }
    }

    // ---- Threads ----

    /// Registers the interpreter's threads not yet sampled, and retires those gone.
    private func discoverThreads() {
        var alive = Set<UInt>()
        var fresh: [UnsafeMutablePointer<PyThreadState>] = []
        var state = PyInterpreterState_ThreadHead(PyInterpreterState_Get())
        while let tstate = state {
            let key = UInt(bitPattern: tstate)
            state = PyThreadState_Next(tstate)
            if ignoredStates.contains(key) { continue }
            if options.mainThreadOnly, pyro_thread_state_ident(tstate) != mainIdent { continue }
            alive.insert(key)
            if let entry = watched[key] {
                if entry.nativeID == pyro_thread_state_native_id(tstate) { continue }
                retire(key, entry)  // a new thread in the memory of an ended one
            }
            fresh.append(tstate)
        }
        for (key, entry) in watched where !alive.contains(key) { retire(key, entry) }
        for tstate in fresh {
            let nativeID = pyro_thread_state_native_id(tstate)
            let ident = pyro_thread_state_ident(tstate)
            guard nativeID != 0 else { continue }
            let slot = pyro_sampler_add_thread(tstate, Int(nativeID), ident)
            if slot < 0 {
                note("more than \(PYRO_SAMPLER_MAX_THREADS) threads at once: the others are not sampled")
                continue
            }
            let index: Int
            if let known = threadIndex[nativeID] {
                index = known
            } else {
                index = aggregate.thread(SampledThread(id: Int64(nativeID), name: threadName(ident)))
                threadIndex[nativeID] = index
            }
            watched[UInt(bitPattern: tstate)] = Watched(slot: slot, thread: index, nativeID: nativeID)
        }
    }

    private func retire(_ state: UInt, _ entry: Watched) {
        pyro_sampler_retire_thread(entry.slot)
        drain()
        var counts = pyro_sampler_thread_counts_t()
        pyro_sampler_thread_counts(entry.slot, &counts)
        expectedRetired += Int64(counts.expected)
        tornRetired += Int64(counts.torn)
        fullRetired += Int64(counts.full)
        pyro_sampler_release_thread(entry.slot)
        watched[state] = nil
    }

    /// threading's name of a thread, "" when it has none (yet).
    private func threadName(_ ident: UInt) -> String {
        if ident == mainIdent { return "MainThread" }
        guard let modules = PySys_GetObject("modules"), let threading = PyDict_GetItemString(modules, "threading"),
              let active = PyRef(borrowed: threading).optionalAttribute("_active"),
              let key = try? PyRef(owned: PyLong_FromUnsignedLong(ident)),
              let thread = PyDict_GetItemWithError(active.pointer, key.pointer) else {
            PyErr_Clear()
            return ""
        }
        return PyRef(borrowed: thread).optionalAttribute("name")?.stringValue ?? ""
    }

    // ---- Reading the rings ----

    /// Reads every ring, holding the GIL.
    private func drain() {
        guard !draining else { return }
        draining = true
        defer { draining = false }
        let context = Unmanaged.passUnretained(self).toOpaque()
        pyro_sampler_drain({ context, slot, sample in
            let session = Unmanaged<SamplerSession>.fromOpaque(context!).takeUnretainedValue()
            session.take(slot: slot, sample!.pointee)
        }, context)
    }

    private func threadOf(slot: Int32) -> Int? {
        slotThread[slot]
    }

    private var path: [Int] = []

    private func take(slot: Int32, _ sample: pyro_sample_t) {
        if options.mode == .gil, sample.flags & PYRO_SAMPLE_HELD_GIL == 0 {
            dropped["withoutGIL", default: 0] += 1
            return
        }
        if sample.depth == 0 {
            dropped["noPythonFrame", default: 0] += 1
            return
        }
        guard let thread = threadOf(slot: slot) else { return }
        path.removeAll(keepingCapacity: true)
        if sample.flags & PYRO_SAMPLE_TRUNCATED != 0 {
            path.append(aggregate.frame(SampledFrame(function: "(deeper frames left out)", file: "", line: 0, firstLine: 0)))
        }
        var i = Int(sample.depth) - 1
        while i >= 0 {
            let code = UInt(sample.frames[2 * i])
            let offset = Int32(truncatingIfNeeded: sample.frames[2 * i + 1])
            guard let frame = frameIndex(code: code, offset: offset, destroyCount: sample.destroy_count) else { return }
            path.append(frame)
            i -= 1
        }
        aggregate.add(frames: path, thread: thread, nanoseconds: Int64(clamping: sample.weight_ns))
        if firstTime == 0 || sample.time_ns < firstTime { firstTime = sample.time_ns }
        if sample.time_ns > lastTime { lastTime = sample.time_ns }
    }

    /// The frame of a code object at an offset: named from the code object the
    /// first time (it is alive: a code object about to be destroyed has its
    /// samples read first), or nil (the sample is dropped and counted) when it may
    /// have gone since the sample was taken, or is no code object.
    private func frameIndex(code: UInt, offset: Int32, destroyCount: UInt64) -> Int? {
        if let index = codes[code]?.frames[offset] { return index }
        guard let pointer = PyPointer(bitPattern: code) else { return nil }
        if codes[code] == nil {
            if pyro_sampler_code_destroyed_since(pointer, destroyCount) != 0 {
                dropped["codeFreed", default: 0] += 1
                return nil
            }
            guard pyro_code_looks_alive(pointer) != 0 else {
                dropped["torn", default: 0] += 1
                return nil
            }
            let function = pyro_code_qualname(pointer).flatMap { PyRef.swiftString($0) } ?? "?"
            let file = pyro_code_filename(pointer).flatMap { PyRef.swiftString($0) } ?? "?"
            codes[code] = NamedCode(function: function, file: file, firstLine: Int(pyro_code_first_line(pointer)))
        }
        let named = codes[code]!
        let line = Int(pyro_code_line(pointer, offset))
        let index = aggregate.frame(SampledFrame(function: named.function, file: named.file, line: line > 0 ? line : named.firstLine,
                                                 firstLine: named.firstLine))
        codes[code]!.frames[offset] = index
        return index
    }

    /// A code object is about to be destroyed: the samples taken while it lived
    /// are read now, and its name forgotten (its memory may hold another one next).
    private static let codeDestroyed: pyro_code_destroyed_fn = { code in
        guard let code, let session = SamplerSession.current else { return }
        if pyro_sampler_pending() != 0 { session.drain() }
        session.codes[UInt(bitPattern: code)] = nil
        pyro_sampler_note_code_destroyed(code)
    }

    // ---- The result ----

    private func note(_ text: String) {
        if !notes.contains(text) { notes.append(text) }
    }

    private func warnIfLowered() {
        var totals = pyro_sampler_totals_t()
        pyro_sampler_totals(&totals)
        if totals.lowered > warnedLowered {
            warnedLowered = totals.lowered
            let rate = 1e9 / Double(totals.period_ns)
            StandardStream.writeError("pyrometer: warning: the machine cannot hold \(Text.format("%g", options.rate)) samples per second: lowered to \(Text.format("%g", rate))\n")
        }
    }

    public func result() throws -> SampleProfile {
        if running { drain() }
        var expected = expectedRetired
        var torn = tornRetired
        var full = fullRetired
        for entry in watched.values {
            var counts = pyro_sampler_thread_counts_t()
            pyro_sampler_thread_counts(entry.slot, &counts)
            expected += Int64(counts.expected)
            torn += Int64(counts.torn)
            full += Int64(counts.full)
        }
        var totals = pyro_sampler_totals_t()
        pyro_sampler_totals(&totals)
        var droppedNow = dropped
        droppedNow["torn", default: 0] += torn
        droppedNow["bufferFull", default: 0] += full
        let rate = totals.period_ns > 0 ? (1e9 / Double(totals.period_ns) * 1000).rounded() / 1000 : options.rate
        var notes = self.notes
        if totals.lowered > 0 {
            notes.append("the machine could not hold \(Text.format("%g", options.rate)) samples per second: the rate was lowered to \(Text.format("%g", rate))")
        }
        var profile = SampleProfile(
            python: PythonVersion.current, command: command, mode: options.mode.rawValue, idle: options.everyTick,
            requestedRate: options.rate, rate: rate,
            duration: lastTime > firstTime ? Double(lastTime - firstTime) / 1e9 : 0,
            samplesExpected: expected, samplesTaken: aggregate.samples, samplesDropped: droppedNow,
            frames: aggregate.frames, stacks: aggregate.stacks, threads: aggregate.threads, sources: [:],
            notes: notes.isEmpty ? nil : notes)
        profile.sources = Self.sources(of: profile)
        return profile
    }

    /// The files of the ten hottest functions, whole, for the HTML page.
    static func sources(of profile: SampleProfile) -> [String: [String]] {
        var sources: [String: [String]] = [:]
        for function in SampleTotals(profile).functions.sorted(by: { $0.total > $1.total }).prefix(10) {
            let file = function.file
            guard sources[file] == nil, !file.hasPrefix("<"), let data = FileManager.default.contents(atPath: file) else { continue }
            var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map {
                $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
            }
            if lines.last == "" { lines.removeLast() }
            sources[file] = lines
        }
        return sources
    }
}
