import CPython
import FoundationEssentials

/// The leak hunt of a Python callable, behind `pyrometer.find_leaks` and the
/// pytest plugin's `no_leaks` marker: what `pyrometer leaks --call` does with the
/// function it names.
enum LeaksNativeMethods {
    static var methods: [NativeMethod] {
        [
            NativeMethod("find_leaks", .fastCall(findLeaks),
                         doc: "find_leaks(function, name, repeat, trace_allocations, samples) -> the leak report's JSON: function called once, then repeat times, a census after each"),
        ]
    }

    private static let findLeaks: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        guard let args, count == 5, let function = args[0], PyCallable_Check(function) == 1,
              let name = args[1].flatMap({ PyRef(borrowed: $0).stringValue }),
              let repeats = args[2].flatMap({ PyRef(borrowed: $0).intValue }), repeats >= 1,
              let samples = args[4].flatMap({ PyRef(borrowed: $0).intValue }), samples >= 0
        else {
            pyro_set_type_error("find_leaks(function, name, repeat >= 1, trace_allocations, samples >= 0)")
            return nil
        }
        var options = LeakHunterSession.Options()
        options.repeats = repeats
        options.samples = samples
        options.traceAllocations = args[3].map { PyObject_IsTrue($0) == 1 } ?? false
        return NativeModule.answer {
            let session = LeakHunterSession(options: options, calling: PyRef(borrowed: function), named: name)
            try session.start(SessionContext())
            session.stop()
            if let raised = session.raised { throw raised }
            return try PyRef.string(String(decoding: try session.encodedResult(), as: UTF8.self))
        }
    }
}
