import CPython

/// CPython 3.11: a C-level trace function (PyEval_SetTrace). Every call reports a
/// CALL event; untimed frames have their line events switched off at once
/// (f_trace_lines = 0), so only timed frames report lines.
///
/// There is one trace function per thread, and programs set their own (coverage,
/// pdb, `breakpoint()`). So the one a thread had before is chained to: called
/// after pyrometer's with every event, and put back by `uninstall`. While the hook
/// is installed, `sys.settrace` and `threading.settrace` are wrapped: a program's
/// tracer becomes the chained one instead of replacing pyrometer's, and
/// `sys.gettrace()` still returns it.
final class TraceFunctionHook: LineHook {
    private var originalSettrace: PyRef?
    private var originalThreadingSettrace: PyRef?
    /// The threading hook the program had (or set while installed), put back at the end.
    private var programThreadHook: PyRef?

    nonisolated(unsafe) private static weak var installed: TraceFunctionHook?
    /// CPython's sys.settrace, for the wrapper called once the hook has gone.
    nonisolated(unsafe) private static var pythonSettrace: PyRef?

    func install() throws {
        let sys = try PyRef.importModule("sys")
        let threading = try PyRef.importModule("threading")
        let module = try NativeModule.module()
        TraceFunctionHook.chainToCurrent()
        originalSettrace = try sys.attribute("settrace")
        if TraceFunctionHook.pythonSettrace == nil { TraceFunctionHook.pythonSettrace = originalSettrace }
        originalThreadingSettrace = try threading.attribute("settrace")
        let hook = try threading.attribute("gettrace").call()
        programThreadHook = hook.pointer == pyro_none() ? nil : hook
        try sys.setAttribute("settrace", module.attribute("_settrace"))
        try threading.setAttribute("settrace", module.attribute("_threading_settrace"))
        // New threads start with no trace function: threading's hook installs ours
        // (chained to the program's own hook when it has one).
        try originalThreadingSettrace?.call(programThreadHook ?? module.attribute("_thread_trace"))
        TraceFunctionHook.installed = self
    }

    func enable(_ code: PyRef) throws {}

    private(set) var problems: [String] = []

    func uninstall() {
        TraceFunctionHook.installed = nil
        let thread = LineCollector.currentThread()
        var function: Py_tracefunc?
        var object: PyPointer?
        pyro_thread_trace(&function, &object)
        if TraceFunctionHook.isOurs(function) {
            PyEval_SetTrace(thread.pointee.chainedTrace, thread.pointee.chainedTraceObject)
        } else {
            // Set from C with PyEval_SetTrace (coverage's C tracer does): it stays.
            problems.append("line timing stopped in the main thread when another tool replaced pyrometer's trace function from C (PyEval_SetTrace, as coverage's C tracer does); lines run after that were not counted. Start that tool before pyrometer, or use Python 3.12+, where they do not meet")
        }
        thread.pointee.chainedTrace = nil
        thread.pointee.chainedTraceObject = nil
        if let sys = try? PyRef.importModule("sys"), let originalSettrace {
            _ = try? sys.setAttribute("settrace", originalSettrace)
        }
        if let threading = try? PyRef.importModule("threading"), let originalThreadingSettrace {
            _ = try? threading.setAttribute("settrace", originalThreadingSettrace)
            _ = try? originalThreadingSettrace.call(programThreadHook ?? PyRef.none)
        }
    }

    /// Installs pyrometer's trace function in this thread, chained to the one the
    /// thread has now (unless that is pyrometer's already).
    static func chainToCurrent() {
        var function: Py_tracefunc?
        var object: PyPointer?
        pyro_thread_trace(&function, &object)
        let thread = LineCollector.currentThread()
        if isOurs(function) { return }
        thread.pointee.chainedTrace = function
        // Borrowed: the thread state holds it while it is installed with ours.
        thread.pointee.chainedTraceObject = object
        PyEval_SetTrace(trace, object)
    }

    static func isOurs(_ function: Py_tracefunc?) -> Bool {
        guard let function else { return false }
        return unsafeBitCast(function, to: UnsafeRawPointer.self) == unsafeBitCast(trace, to: UnsafeRawPointer.self)
    }

    static let trace: Py_tracefunc = { object, frame, what, argument in
        guard let frame else { return 0 }
        let owner = UnsafeMutableRawPointer(frame)
        let thread = LineCollector.currentThread()
        let chained = thread.pointee.chainedTrace
        switch what {
        case PyTrace_LINE:
            let line = pyro_trace_frame_lineno(owner)
            if !LineCollector.line(owner: owner, line: line, thread: thread) { strayLine(owner, line: line) }
        case PyTrace_CALL:
            call(owner, silence: chained == nil, thread: thread)
        case PyTrace_RETURN:
            LineCollector.leave(owner: owner, thread: thread)
        default:
            break
        }
        guard let chained else { return 0 }
        return callChained(chained, thread, frame, what, argument)
    }

    /// The program's tracer runs after pyrometer's bookkeeping; its time is
    /// charged to no line.
    @inline(never)
    static func callChained(_ chained: Py_tracefunc, _ thread: UnsafeMutablePointer<ThreadFrames>, _ frame: OpaquePointer,
                            _ what: Int32, _ argument: PyPointer?) -> Int32 {
        let status = chained(thread.pointee.chainedTraceObject, frame, what, argument)
        if status != 0 {
            // A tracer that raised is removed by CPython, taking ours with it.
            thread.pointee.chainedTrace = nil
            thread.pointee.chainedTraceObject = nil
            PyEval_SetTrace(trace, nil)
            return status
        }
        LineCollector.restartLineClock(thread)
        return 0
    }

    @inline(__always)
    static func code(of frame: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        pyro_trace_frame_code(frame)!
    }

    /// A frame starts: timed, it is entered; untimed, its line events are switched
    /// off unless a chained tracer may want them.
    @inline(__always)
    static func call(_ frame: UnsafeMutableRawPointer, silence: Bool,
                     thread: UnsafeMutablePointer<ThreadFrames> = LineCollector.currentThread()) {
        if let index = LineCollector.timedIndex(code(of: frame)) {
            LineCollector.enter(owner: frame, code: index, thread: thread)
        } else if silence {
            pyro_trace_frame_silence_lines(frame)
        }
    }

    /// A line from a frame with no record: one that was running before tracing
    /// began (or an untimed one not yet silenced).
    @inline(never)
    static func strayLine(_ frame: UnsafeMutableRawPointer, line: Int32) {
        guard let index = LineCollector.timedIndex(code(of: frame)) else {
            if LineCollector.currentThread().pointee.chainedTrace == nil { pyro_trace_frame_silence_lines(frame) }
            return
        }
        LineCollector.enter(owner: frame, code: index)
        LineCollector.line(owner: frame, line: line)
    }

    static var nativeMethods: [NativeMethod] {
        [
            NativeMethod("_thread_trace", .fastCall(threadTrace),
                         doc: "threading.settrace hook: installs the native trace function in a new thread."),
            NativeMethod("_settrace", .oneArgument(settrace),
                         doc: "sys.settrace while pyrometer times lines: the function is chained to pyrometer's trace function."),
            NativeMethod("_threading_settrace", .oneArgument(threadingSettrace),
                         doc: "threading.settrace while pyrometer times lines: new threads chain the function to pyrometer's."),
        ]
    }

    /// sys.settrace-style function run once in each new thread.
    private static let threadTrace: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        chainToCurrent()
        if count >= 2, let args, let frame = args[0], let event = args[1].map({ PyRef(borrowed: $0) }),
           event.stringValue == "call" {
            call(UnsafeMutableRawPointer(frame), silence: LineCollector.currentThread().pointee.chainedTrace == nil)
        }
        return pyro_none_new()
    }

    /// `sys.settrace(function)`: CPython's own sys.settrace installs it (so its
    /// semantics are Python's), then pyrometer's goes back in front of it.
    private static let settrace: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, function in
        guard let function, let original = pythonSettrace else { return nil }
        guard installed != nil else {
            // Called after the hook went (someone kept the wrapper): as sys.settrace.
            do { return try original.call(PyRef(borrowed: function)).newReference() } catch {
                NativeModule.raise(error)
                return nil
            }
        }
        if let threadHook = try? NativeModule.module().attribute("_thread_trace"), threadHook.pointer == function {
            chainToCurrent()
            return pyro_none_new()
        }
        do {
            _ = try original.call(PyRef(borrowed: function))
        } catch {
            NativeModule.raise(error)
            return nil
        }
        chainToCurrent()
        return pyro_none_new()
    }

    /// `threading.settrace(function)`: remembered as the program's hook; new
    /// threads run it through the wrapped sys.settrace, chained to pyrometer's.
    private static let threadingSettrace: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, function in
        guard let function, let hook = installed, let original = hook.originalThreadingSettrace else { return pyro_none_new() }
        do {
            hook.programThreadHook = function == pyro_none() ? nil : PyRef(borrowed: function)
            _ = try original.call(hook.programThreadHook ?? NativeModule.module().attribute("_thread_trace"))
        } catch {
            NativeModule.raise(error)
            return nil
        }
        return pyro_none_new()
    }
}
