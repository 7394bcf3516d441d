import CPython

/// CPython 3.11: a C-level trace function (PyEval_SetTrace). Every call reports a
/// CALL event; untimed frames have their line events switched off at once
/// (f_trace_lines = 0), so only timed frames report lines.
final class TraceFunctionHook: LineHook {
    func install() throws {
        PyEval_SetTrace(TraceFunctionHook.trace, nil)
        // New threads start with no trace function: threading.settrace installs a
        // native one that hands the thread over to `trace`.
        let threadTrace = try NativeModule.module().attribute("_thread_trace")
        try PyRef.importModule("threading").attribute("settrace").call(threadTrace)
    }

    func enable(_ code: PyRef) throws {}

    func uninstall() {
        PyEval_SetTrace(nil, nil)
        _ = try? PyRef.importModule("threading").attribute("settrace").call(PyRef.none)
    }

    static let trace: Py_tracefunc = { _, frame, what, _ in
        guard let frame else { return 0 }
        let owner = UnsafeMutableRawPointer(frame)
        switch what {
        case PyTrace_LINE:
            let line = pyro_trace_frame_lineno(owner)
            if !LineCollector.line(owner: owner, line: line) { strayLine(owner, line: line) }
        case PyTrace_CALL:
            call(owner)
        case PyTrace_RETURN:
            LineCollector.leave(owner: owner)
        default:
            break
        }
        return 0
    }

    @inline(__always)
    static func code(of frame: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        pyro_trace_frame_code(frame)!
    }

    @inline(__always)
    static func call(_ frame: UnsafeMutableRawPointer) {
        if let index = LineCollector.timedIndex(code(of: frame)) {
            LineCollector.enter(owner: frame, code: index)
        } else {
            pyro_trace_frame_silence_lines(frame)
        }
    }

    /// A line from a frame with no record: one that was running before tracing
    /// began (or an untimed one not yet silenced).
    @inline(never)
    static func strayLine(_ frame: UnsafeMutableRawPointer, line: Int32) {
        call(frame)
        LineCollector.line(owner: frame, line: line)
    }

    static var nativeMethods: [NativeMethod] {
        [NativeMethod("_thread_trace", .fastCall(threadTrace),
                      doc: "threading.settrace hook: installs the native trace function in a new thread.")]
    }

    /// sys.settrace-style function run once in each new thread.
    private static let threadTrace: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        PyEval_SetTrace(TraceFunctionHook.trace, nil)
        if count >= 2, let args, let frame = args[0], let event = args[1].map({ PyRef(borrowed: $0) }),
           event.stringValue == "call" {
            call(UnsafeMutableRawPointer(frame))
        }
        return pyro_none_new()
    }
}
