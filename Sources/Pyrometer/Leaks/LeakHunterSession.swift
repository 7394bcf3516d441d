import CPython
import FoundationEssentials
import Glibc

/// `pyrometer leaks`: takes a complete census of the heap again and again — every
/// `interval` seconds while the program runs, or after each of `repeats` calls of
/// one function once it has run — and reports the types that keep growing, with
/// a sample object and the references that keep it alive.
public final class LeakHunterSession: MeasurementSession, @unchecked Sendable {  // Python state under the GIL
    public struct Options: Sendable {
        public var interval: Double = 1.0
        /// `module:function` or `/path/to/file.py:function` to call, or nil to
        /// sample the running program.
        public var call: String?
        /// `--call` as it was typed (a relative file), for the report and errors.
        public var callAsGiven: String?
        public var repeats = 10
        /// Calls made before the first census, not measured.
        public var warmups = 1
        /// Confidence and noise floor of the verdicts.
        public var criteria = LeakCriteria()
        /// Record where each object is allocated (the memory tool's allocator hooks).
        public var traceAllocations = false
        /// How many of the worst leaks get a sample object and chain.
        public var samples = 3

        public init() {}
    }

    /// Set instead of a report when the function to call cannot be found.
    public private(set) var setupError: PyrometerError?
    private let options: Options
    private var program: ProgramSpec?
    private var snapshots: [HeapSnapshot] = []
    private var points: [Double] = []
    /// Every object alive at the first census, to tell new objects from old.
    private var baseline: UnsafeMutablePointer<ObjectMap>?
    /// Samples found so far, by type (interval mode finds them while the program
    /// still runs, when the frames holding them are live).
    private var samples: [String: LeakSample] = [:]
    /// What the growing types' new objects retain, by type (found with the samples).
    private var retentions: [String: Retention] = [:]
    private var problem: String?
    private var start: UInt64 = 0

    // The interval sampler (made anew in a forked child, where the thread is gone).
    private var stateLock = Lock()
    private var stopping = false
    private var sampler: NativeThread?
    private var samplerRunning = false

    /// A Python callable to call again and again instead of `options.call`
    /// (`pyrometer.find_leaks`, the pytest plugin's `no_leaks`).
    private let callable: PyRef?
    /// What the callable raised: handed back to the caller, not printed.
    public private(set) var raised: PythonError?

    public init(options: Options) {
        self.options = options
        self.callable = nil
    }

    /// A hunt that calls `function` (named `name` in the report) once, then
    /// `options.repeats` times, a census after each call, when it stops.
    public init(options: Options, calling function: PyRef, named name: String) {
        var options = options
        options.call = name
        options.callAsGiven = name
        self.options = options
        self.callable = function
    }

    deinit {
        baseline?.pointee.release()
        baseline?.deallocate()
    }

    public func start(_ context: SessionContext) throws {
        self.program = context.program
        start = pyro_monotonic_ns()
        // The helpers that describe samples are imported now, so their modules'
        // objects are not taken for new ones.
        _ = try PyRef.importModule("pyrometer._census")
        if options.traceAllocations {
            MemoryCollector.begin(trackSites: true, recordCalls: false)
            AllocatorHooks.install()
            AllocationSites.tracing = true
        }
        if context.program != nil {
            // A program written for kernprof or memory_profiler uses `@profile`
            // without importing it: here it marks nothing and changes nothing.
            try PyRef.importModule("builtins").setAttribute("profile", ChosenFunctions.builtinProfile())
        }
        if options.call == nil { startSampler() }
    }

    /// Stops the sampler; in calls mode, this is when the function is called
    /// again and again (the program has run).
    public func stop() {
        if options.call == nil {
            stopSampler()
        } else {
            callRepeatedly()
        }
        report = makeReport()
        if options.traceAllocations {
            AllocationSites.tracing = false
            AllocatorHooks.uninstall()
            MemoryCollector.reset()
        }
    }

    private var report: LeakReport?

    /// The report (see `setupError` for a function that could not be called).
    public func result() -> LeakReport {
        report ?? makeReport()
    }

    /// A forked child reporting on its own: its censuses start again, from a
    /// sampler of its own (the parent's thread does not exist in the child).
    public func forgetCountsAfterFork() {
        snapshots = []
        points = []
        samples = [:]
        retentions = [:]
        baseline?.pointee.release()
        baseline?.deallocate()
        baseline = nil
        start = pyro_monotonic_ns()
        if options.call == nil, samplerRunning {
            stateLock = Lock()
            stopping = false
            startSampler()
        }
    }

    // MARK: Censuses

    /// Takes one census (the GIL held); the first also records every object.
    private func census(at point: Double) throws {
        if baseline == nil {
            let map = UnsafeMutablePointer<ObjectMap>.allocate(capacity: 1)
            map.initialize(to: ObjectMap(expected: 1 << 16))
            baseline = map
            snapshots.append(try HeapSnapshot.take(addresses: map))
        } else {
            snapshots.append(try HeapSnapshot.take())
        }
        points.append(point)
    }

    private func startSampler() {
        samplerRunning = true
        let interval = options.interval
        let thread = NativeThread { [self] in
            while true {
                // Sleep in short slices so the end of the program is not delayed.
                let wake = pyro_monotonic_ns() &+ UInt64(interval * 1e9)
                while pyro_monotonic_ns() < wake, !isStopping() { usleep(UInt32(min(20_000, max(1_000, interval * 1e6 / 10)))) }
                if isStopping() { break }
                withGIL {
                    guard !isStopping() else { return }
                    do {
                        try census(at: Double(pyro_monotonic_ns() &- start) / 1e9)
                        findSamplesWhileRunning()
                    } catch {
                        problem = "a census failed: \(error)"
                    }
                }
            }
        }
        sampler = thread
        thread.start()
    }

    private func isStopping() -> Bool {
        stateLock.withLock { stopping }
    }

    /// Stops the sampler (started with the program in interval mode); called
    /// holding the GIL, which is let go while waiting.
    private func stopSampler() {
        guard samplerRunning else { return }
        samplerRunning = false
        stateLock.withLock { stopping = true }
        let saved = PyEval_SaveThread()
        sampler?.join()
        sampler = nil
        PyEval_RestoreThread(saved)
    }

    /// While the program runs, finds samples for the types growing so far: their
    /// holders may be frames that are gone by the end.
    private func findSamplesWhileRunning() {
        guard snapshots.count >= LeakDetector.minimumCensuses(confidence: options.criteria.confidence) else { return }
        let wanted = worst(currentLeaks()).filter { samples[$0.type] == nil || snapshots.count % 4 == 0 }
        guard !wanted.isEmpty else { return }
        findSamples(for: Array(wanted))
    }

    /// The leaks that get a sample: classes of the program and libraries first
    /// (builtins such as dict or str are usually what those classes hold), then
    /// by bytes per unit.
    private func worst(_ leaks: [Leak]) -> [Leak] {
        let defined = leaks.filter { $0.type.contains(".") }
        let builtin = leaks.filter { !$0.type.contains(".") }
        return Array((defined + builtin).prefix(options.samples))
    }

    private func findSamples(for leaks: [Leak]) {
        do {
            var tracer = try LeakTracer()
            // First, while the snapshot's reference counts still hold.
            retentions = try tracer.retention(of: currentLeaks(), newSince: baseline)
            for leak in leaks {
                if let sample = try tracer.sample(of: leak.type, countGrows: leak.countGrows, newSince: baseline) {
                    samples[leak.type] = sample
                }
            }
        } catch {
            problem = problem ?? "could not trace references: \(error)"
        }
    }

    // MARK: Calls mode

    private func callRepeatedly() {
        guard let call = options.call else { return }
        if let callable {
            callRepeatedly(callable, reportingErrors: false)
            return
        }
        let function: PyRef
        do {
            function = try resolve(call)
        } catch let error as PyrometerError {
            setupError = error
            return
        } catch {
            setupError = PyrometerError("--call: \(error)")
            return
        }
        callRepeatedly(function, reportingErrors: true)
    }

    /// Calls `function` once unmeasured, then `options.repeats` times with a census
    /// after each. What it raises is printed (`reportingErrors`) or kept in `raised`.
    private func callRepeatedly(_ function: PyRef, reportingErrors: Bool) {
        let call = options.call ?? "the function"
        do {
            // Calls first, not measured: caches filled and modules imported on
            // first use are not leaks.
            for _ in 0..<max(0, options.warmups) { try function.call() }
            try census(at: 0)
            for number in 1...max(1, options.repeats) {
                try function.call()
                try census(at: Double(number))
            }
            findSamples(for: worst(currentLeaks()))
        } catch let error as PythonError {
            if reportingErrors { error.printTraceback() } else { raised = error }
            problem = "\(options.callAsGiven ?? call) raised \(error) after \(max(0, snapshots.count - 1)) measured calls"
        } catch {
            problem = "\(error)"
        }
    }

    /// The function named `module:function` (`module:Class.method` works too), or
    /// `path/to/file.py:function`: the file is loaded as a module named after it
    /// (its folder first on sys.path, as `python file.py` has it). The program's
    /// own script is found under its file name or `__main__`.
    private func resolve(_ call: String) throws -> PyRef {
        guard let target = CallTarget(call) else {
            throw PyrometerError("--call needs module:function or file.py:function, got '\(call)'")
        }
        let module: PyRef
        let mainStem = program.flatMap { $0.kind == .script ? Paths.deletingExtension(Paths.fileName(of: $0.target)) : nil }
        if let file = target.file {
            module = try load(file: file)
        } else if target.module == "__main__" || target.module == mainStem {
            module = try PyRef.importModule("__main__")
        } else {
            do {
                module = try PyRef.importModule(target.module)
            } catch let error as PythonError {
                throw PyrometerError("--call: cannot import '\(target.module)': \(error)")
            }
        }
        var found = module
        for name in target.function.split(separator: ".") {
            guard let next = found.optionalAttribute(String(name)) else {
                let given = options.callAsGiven.flatMap(CallTarget.init)?.file ?? target.file ?? target.module
                throw PyrometerError("--call: '\(given)' has no '\(target.function)'")
            }
            found = next
        }
        guard PyCallable_Check(found.pointer) == 1 else {
            throw PyrometerError("--call: '\(call)' is not callable")
        }
        return found
    }

    /// The module of a file given to --call: `__main__` when the program is that
    /// file, a module already loaded from it, or the file loaded now under its
    /// name (another name when a different module has that one).
    private func load(file: String) throws -> PyRef {
        let shown = options.callAsGiven.flatMap(CallTarget.init)?.file ?? file
        let realpath = try PyRef.importModule("os.path").attribute("realpath")
        func sameFile(_ module: PyRef) -> Bool {
            guard let path = module.optionalAttribute("__file__"), !path.isNone,
                  let resolved = try? realpath.call(path).stringValue, let wanted = try? realpath.call(PyRef.string(file)).stringValue
            else { return false }
            return resolved == wanted
        }
        switch Paths.isDirectory(file) {
        case nil: throw PyrometerError("--call: no such file '\(shown)'")
        case true?: throw PyrometerError("--call: '\(shown)' is a directory, not a Python file")
        case false?: break
        }
        let sys = try PyRef.importModule("sys")
        let modules = try sys.attribute("modules")
        if let main = modules.item(forKey: "__main__"), sameFile(main) { return main }
        let stem = Paths.deletingExtension(Paths.fileName(of: file))
        if let loaded = modules.item(forKey: stem), sameFile(loaded) { return loaded }
        let name = modules.item(forKey: stem) == nil ? stem : "_pyrometer_call_" + stem
        do {
            let util = try PyRef.importModule("importlib.util")
            let spec = try util.attribute("spec_from_file_location").call(PyRef.string(name), PyRef.string(file))
            guard !spec.isNone else { throw PyrometerError("--call: cannot load '\(shown)' as a Python module") }
            let module = try util.attribute("module_from_spec").call(spec)
            let folder = Paths.folder(of: file)
            let path = try sys.attribute("path")
            if !folder.isEmpty, PySequence_Contains(path.pointer, try PyRef.string(folder).pointer) == 0 {
                try path.callMethod("insert", PyRef.int(0), PyRef.string(folder))
            }
            try modules.setItem(name, module)
            do {
                try spec.attribute("loader").callMethod("exec_module", module)
            } catch {
                _ = PyDict_DelItemString(modules.pointer, name)
                throw error
            }
            return module
        } catch let error as PythonError {
            throw PyrometerError("--call: cannot load '\(shown)': \(error)")
        }
    }

    // MARK: Results

    private func series() -> [String: (counts: [Int], bytes: [Int])] {
        var types = Set<String>()
        for snapshot in snapshots { types.formUnion(snapshot.byType.keys) }
        var result: [String: (counts: [Int], bytes: [Int])] = [:]
        for type in types {
            result[type] = (snapshots.map { $0.byType[type]?.count ?? 0 }, snapshots.map { $0.byType[type]?.bytes ?? 0 })
        }
        return result
    }

    private func currentLeaks() -> [Leak] {
        LeakDetector.leaks(series(), at: points, criteria: options.criteria)
    }

    private func makeReport() -> LeakReport {
        let confidence = options.criteria.confidence
        let enough = snapshots.count >= LeakDetector.minimumCensuses(confidence: confidence)
        if problem == nil, !enough {
            problem = LeakDetector.notEnoughCensuses(taken: snapshots.count, confidence: confidence)
                + (options.call == nil ? " (one every \(options.interval) s while the program ran: use a smaller --interval)" : "")
        }
        // No verdict from fewer censuses than the trend test needs.
        var leaks = enough ? currentLeaks() : []
        for index in leaks.indices {
            leaks[index].sample = samples[leaks[index].type]
            leaks[index].retained = retentions[leaks[index].type]
        }
        var criteria = options.criteria
        criteria.skippedCensuses = LeakDetector.skipped(snapshots.count, confidence: confidence)
        return LeakReport(python: PythonVersion.current, command: program?.commandLine ?? [],
                          mode: options.call == nil ? .interval : .calls, function: options.callAsGiven ?? options.call,
                          interval: options.call == nil ? options.interval : nil,
                          points: points, totalCounts: snapshots.map(\.totalCount), totalBytes: snapshots.map(\.totalBytes),
                          leaks: leaks, problem: problem, criteria: criteria)
    }
}

/// What `--call` names: `module:function` (`module:Class.method`), or
/// `path/to/file.py:function`, told apart by the `.py` or a `/` before the colon.
public struct CallTarget: Equatable, Sendable {
    /// The module's name, or the file's name without `.py`.
    public var module: String
    /// The file's path, when a file is named.
    public var file: String?
    /// The function's dotted path inside the module.
    public var function: String

    public init(module: String, file: String?, function: String) {
        self.module = module
        self.file = file
        self.function = function
    }

    public init?(_ text: String) {
        // A path may hold colons; a function's name cannot.
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let before = String(text[..<colon]), after = String(text[text.index(after: colon)...])
        guard !before.isEmpty, !after.isEmpty else { return nil }
        function = after
        if before.hasSuffix(".py") || before.contains("/") {
            file = before
            module = Paths.deletingExtension(Paths.fileName(of: before))
        } else {
            file = nil
            module = before
        }
    }

    /// The same target with a relative file made absolute against the working
    /// directory now (before the program runs and perhaps changes it).
    public var absolute: String {
        guard let file else { return "\(module):\(function)" }
        return Paths.absoluteAtStart(file) + ":" + function
    }
}
