import CPython
import FoundationEssentials

/// The `_pyrometer` module as a driver of sessions: any registered tool's
/// session can be made, started, stopped and read from Python.
///
///     s = _pyrometer.session_new("lines", {"functions": [...]})
///     _pyrometer.session_add(s, func); _pyrometer.session_start(s)
///     ...; _pyrometer.session_stop(s); json_text = _pyrometer.session_result(s)
///
/// A session is held by a capsule; dropping it stops the session.
enum SessionNativeMethods {
    static var methods: [NativeMethod] {
        [
            NativeMethod("session_new", .fastCall(new), doc: "session_new(tool, options=None) -> session: a new measurement session of a tool (lines, memory)"),
            NativeMethod("session_add", .fastCall(add), doc: "session_add(session, obj): measure the code of obj (function, method, class) too"),
            NativeMethod("session_start", .oneArgument(start), doc: "session_start(session): start (or resume) measuring"),
            NativeMethod("session_stop", .oneArgument(stop), doc: "session_stop(session): stop measuring and restore the interpreter"),
            NativeMethod("session_result", .oneArgument(result), doc: "session_result(session) -> JSON text of what was measured (as -o writes it)"),
            NativeMethod("session_running", .oneArgument(running), doc: "session_running(session) -> whether it measures now"),
            NativeMethod("render", .fastCall(render), doc: "render(json, unit=None, skip_zero=False, peak=False, top=None, tables_only=False) -> the text `pyrometer view` prints for a result"),
        ]
    }

    /// A session with whether it runs, behind a capsule.
    final class Handle {
        let session: any MeasurementSession
        var running = false
        init(_ session: any MeasurementSession) { self.session = session }
    }

    /// The capsule keeps this pointer: it must live as long as the process.
    nonisolated(unsafe) private static let capsuleName = UnsafePointer<CChar>(strdup("pyrometer.session")!)

    private static let release: PyCapsule_Destructor = { capsule in
        guard let capsule, let raw = PyCapsule_GetPointer(capsule, capsuleName) else { PyErr_Clear(); return }
        let handle = Unmanaged<Handle>.fromOpaque(raw).takeRetainedValue()
        if handle.running { handle.session.stop() }
    }

    private static func handle(_ object: PyPointer?) throws -> Handle {
        guard let object, let raw = PyCapsule_GetPointer(object, capsuleName) else {
            PyErr_Clear()
            throw PyrometerError("expected a session made by session_new")
        }
        return Unmanaged<Handle>.fromOpaque(raw).takeUnretainedValue()
    }

    private static let new: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        NativeModule.answer {
            guard let args, count >= 1, let name = args[0].flatMap({ PyRef(borrowed: $0).stringValue }) else {
                throw PyrometerError("session_new(tool, options=None): tool must be a str")
            }
            guard let tool = ToolRegistry.tool(named: name), let make = tool.makeSession else {
                let known = ToolRegistry.tools.filter { $0.makeSession != nil }.map(\.name).joined(separator: ", ")
                throw PyrometerError("no session for tool '\(name)' (tools with sessions: \(known))")
            }
            var options = PythonSessionOptions(values: [:])
            if count >= 2, let dict = args[1], dict != pyro_none() {
                let items = try PyRef(borrowed: dict).callMethod("items").iterate()
                for item in items {
                    if let key = try item.item(0).stringValue { options.values[key] = try item.item(1) }
                }
            }
            let handle = Handle(try make(options))
            let raw = Unmanaged.passRetained(handle).toOpaque()
            return try PyRef(owned: PyCapsule_New(raw, capsuleName, release))
        }
    }

    private static let add: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        NativeModule.answer {
            guard let args, count == 2, let object = args[1] else { throw PyrometerError("session_add(session, obj)") }
            try handle(args[0]).session.watch(PyRef(borrowed: object))
            return PyRef.none
        }
    }

    private static let start: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, object in
        NativeModule.answer {
            let handle = try handle(object)
            if !handle.running {
                try handle.session.start(SessionContext())
                handle.running = true
            }
            return PyRef.none
        }
    }

    private static let stop: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, object in
        NativeModule.answer {
            let handle = try handle(object)
            if handle.running {
                handle.session.stop()
                handle.running = false
            }
            return PyRef.none
        }
    }

    private static let result: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, object in
        NativeModule.answer {
            let data = try handle(object).session.encodedResult()
            return try PyRef.string(String(decoding: data, as: UTF8.self))
        }
    }

    private static let render: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        NativeModule.answer {
            guard let args, count >= 1, let text = args[0].flatMap({ PyRef(borrowed: $0).stringValue }) else {
                throw PyrometerError("render(json, unit=None, skip_zero=False, peak=False, top=None): json must be a str")
            }
            func argument(_ index: Int) -> PyRef? {
                guard index < count, let object = args[index], object != pyro_none() else { return nil }
                return PyRef(borrowed: object)
            }
            let unit = argument(1).map { $0.stringValue ?? $0.description }
            let options = ViewOptions(unit: unit, skipZero: argument(2).map { PyObject_IsTrue($0.pointer) == 1 } ?? false,
                                      peak: argument(3).map { PyObject_IsTrue($0.pointer) == 1 } ?? false, top: argument(4)?.intValue,
                                      tablesOnly: argument(5).map { PyObject_IsTrue($0.pointer) == 1 } ?? false)
            let data = Data(text.utf8)
            guard let header = try? JSONDecoder().decode(ResultHeader.self, from: data),
                  let tool = ToolRegistry.tool(forFormat: header.format) else {
                throw PyrometerError("not a pyrometer result")
            }
            return try PyRef.string(tool.view(data, "<result>", options))
        }
    }

    private static let running: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, object in
        NativeModule.answer { PyRef.bool(try handle(object).running) }
    }
}
