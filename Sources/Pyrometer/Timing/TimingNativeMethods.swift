import CPython

/// `_pyrometer.timeit(stmt, setup, number, repeat, globals, warmup, gc)`: the engine
/// behind `pyrometer.timeit()` and `%ptimeit`. `stmt` is one statement or a list of
/// them to compare. Returns the `TimeitResult` as JSON text; the Python package
/// turns it into a result object.
enum TimingNativeMethods {
    static var methods: [NativeMethod] {
        [NativeMethod("timeit", .fastCall(timeit),
                      doc: "timeit(stmt, setup, number, repeat, globals, warmup, gc) -> JSON text of the timing result")]
    }

    private static let timeit: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        guard let args, count == 7, let first = args[0], let setup = args[1].flatMap({ PyRef(borrowed: $0).stringValue }) else {
            pyro_set_type_error("timeit(stmt, setup, number, repeat, globals, warmup, gc): stmt and setup must be str")
            return nil
        }
        let given = PyRef(borrowed: first)
        let statements = given.stringValue.map { [$0] } ?? ((try? given.iterate())?.compactMap(\.stringValue) ?? [])
        guard !statements.isEmpty else {
            pyro_set_type_error("timeit: stmt must be a str or a list of str")
            return nil
        }
        func optionalInt(_ object: PyPointer?) -> Int?? {
            guard let object, object != pyro_none() else { return .some(nil) }
            return PyRef(borrowed: object).intValue.map { .some($0) }
        }
        guard let number = optionalInt(args[2]), let repeats = optionalInt(args[3]) ?? nil,
              let warmup = optionalInt(args[5]) ?? nil else {
            pyro_set_type_error("number must be an int or None; repeat and warmup must be ints")
            return nil
        }
        let namespace = args[4].flatMap { $0 == pyro_none() ? nil : PyRef(borrowed: $0) }
        let keepGC = args[6].map { PyObject_IsTrue($0) == 1 } ?? false
        let options = TimeitOptions(statements: statements, setup: [setup], number: number, repeats: repeats,
                                    warmup: warmup, keepGC: keepGC)
        do {
            let result = try TimeitBenchmark.run(options, namespace: namespace)
            let json = String(decoding: try ResultFile.encode(result), as: UTF8.self)
            return try PyRef.string(json).newReference()
        } catch let failure as TimingFailure {
            failure.pythonError.restore()
        } catch {
            NativeModule.raise(error)
        }
        return nil
    }
}
