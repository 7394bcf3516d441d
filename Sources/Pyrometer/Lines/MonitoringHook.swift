import CPython

/// CPython 3.12+: sys.monitoring. LINE and start/resume/return/yield events are
/// enabled only on timed code objects (set_local_events), so untimed code runs at
/// full speed; PY_UNWIND and PY_THROW can only be enabled globally and are cheap
/// (they fire on exceptions). Callbacks are native METH_FASTCALL functions.
final class MonitoringHook: LineHook {
    private var toolID: PyRef?
    private var monitoring: PyRef?
    private var localEvents: PyRef?
    private var enabledCodes: [PyRef] = []
    private var registered: [PyRef] = []
    private var watcher: Int32 = -1
    let problems: [String] = []

    func install() throws {
        let monitoring = try PyRef.importModule("sys").attribute("monitoring")
        self.monitoring = monitoring
        let events = try monitoring.attribute("events")
        func event(_ name: String) throws -> Int { try events.attribute(name).intValue ?? 0 }

        // PROFILER_ID first; another profiler may hold it, so try the free ids too.
        var chosen: PyRef?
        for id in [2, 3, 4, 5] {
            let candidate = try PyRef.int(id)
            if (try? monitoring.attribute("use_tool_id").call(candidate, PyRef.string("pyrometer"))) != nil {
                chosen = candidate
                break
            }
        }
        guard let toolID = chosen else { throw PyrometerError("every sys.monitoring tool id is taken by another tool") }
        self.toolID = toolID

        let module = try NativeModule.module()
        let callbacks: [(String, String)] = [
            ("PY_START", "_monitor_start"), ("PY_RESUME", "_monitor_start"), ("PY_THROW", "_monitor_start"),
            ("PY_RETURN", "_monitor_leave"), ("PY_YIELD", "_monitor_leave"), ("PY_UNWIND", "_monitor_leave"),
            ("LINE", "_monitor_line"),
        ]
        for (eventName, callback) in callbacks {
            let id = try PyRef.int(try event(eventName))
            try monitoring.attribute("register_callback").call(toolID, id, module.attribute(callback))
            registered.append(id)
        }
        localEvents = try PyRef.int(try event("LINE") | event("PY_START") | event("PY_RESUME") | event("PY_RETURN") | event("PY_YIELD"))
        try monitoring.attribute("set_events").call(toolID, PyRef.int(try event("PY_UNWIND") | event("PY_THROW")))
        watcher = pyro_watch_code_creation(MonitoringHook.codeCreated)
    }

    func enable(_ code: PyRef) throws {
        guard let monitoring, let toolID, let localEvents else { return }
        try monitoring.attribute("set_local_events").call(toolID, code, localEvents)
        enabledCodes.append(code)
    }

    func uninstall() {
        pyro_unwatch_code_creation(watcher)
        watcher = -1
        guard let monitoring, let toolID else { return }
        let zero = try? PyRef.int(0)
        if let zero {
            _ = try? monitoring.attribute("set_events").call(toolID, zero)
            for code in enabledCodes { _ = try? monitoring.attribute("set_local_events").call(toolID, code, zero) }
        }
        for id in registered { _ = try? monitoring.attribute("register_callback").call(toolID, id, PyRef.none) }
        _ = try? monitoring.attribute("free_tool_id").call(toolID)
        enabledCodes = []
        registered = []
        self.toolID = nil
    }

    /// Every new code object is classified at birth, so a function selected by
    /// -f/--module has its events on before its first call.
    private static let codeCreated: pyro_code_created_fn = { code in
        guard let code else { return }
        _ = LineCollector.timedIndex(UnsafeMutableRawPointer(code))
    }

    static var nativeMethods: [NativeMethod] {
        [
            NativeMethod("_monitor_start", .fastCall(start), doc: "sys.monitoring PY_START/PY_RESUME/PY_THROW callback."),
            NativeMethod("_monitor_leave", .fastCall(leave), doc: "sys.monitoring PY_RETURN/PY_YIELD/PY_UNWIND callback."),
            NativeMethod("_monitor_line", .fastCall(line), doc: "sys.monitoring LINE callback."),
        ]
    }

    private static let start: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, _ in
        if let code = args?[0], let index = LineCollector.timedIndex(UnsafeMutableRawPointer(code)) {
            LineCollector.enter(owner: UnsafeMutableRawPointer(code), code: index)
        }
        return pyro_none_new()
    }

    private static let leave: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, _ in
        if let code = args?[0] {
            LineCollector.leave(owner: UnsafeMutableRawPointer(code))
        }
        return pyro_none_new()
    }

    private static let line: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, _ in
        guard let args, let code = args[0], let number = args[1] else { return pyro_none_new() }
        let owner = UnsafeMutableRawPointer(code)
        let line = Int32(truncatingIfNeeded: pyro_small_long(number))
        if !LineCollector.line(owner: owner, line: line) {
            // A timed frame already running when its events were enabled.
            if let index = LineCollector.timedIndex(owner) {
                LineCollector.enter(owner: owner, code: index)
                LineCollector.line(owner: owner, line: line)
            }
        }
        return pyro_none_new()
    }
}
