import CPython

/// A function of the `_pyrometer` module, as C sees it.
public struct NativeMethod {
    public enum Calling {
        case noArguments(@convention(c) (PyPointer?, PyPointer?) -> PyPointer?)
        case oneArgument(@convention(c) (PyPointer?, PyPointer?) -> PyPointer?)
        case fastCall(@convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer?)
    }
    public let name: String
    public let calling: Calling
    public let doc: String

    public init(_ name: String, _ calling: Calling, doc: String = "") {
        self.name = name
        self.calling = calling
        self.doc = doc
    }
}

/// The `_pyrometer` module: the engine's functions as Python sees them. Each tool
/// contributes its methods; the module is built from them when first imported.
public enum NativeModule {
    public static let name = "_pyrometer"

    nonisolated(unsafe) private static var methods: [NativeMethod] = []
    nonisolated(unsafe) private static var table: UnsafeMutablePointer<PyMethodDef>?

    /// Adds methods; must happen before the module is first imported.
    public static func contribute(_ newMethods: [NativeMethod]) {
        for method in newMethods where !methods.contains(where: { $0.name == method.name }) {
            methods.append(method)
        }
    }

    /// Every tool's native functions, and the session functions that start any
    /// tool's session from Python: what the extension module offers.
    public static func contributeAllTools() {
        for tool in ToolRegistry.tools { contribute(tool.nativeMethods) }
        contribute(SessionNativeMethods.methods)
        contribute(ProgramRunner.nativeMethods)
    }

    /// The module's init function (`PyInit__pyrometer`), for the inittab of an
    /// embedding program or for the extension module's entry point.
    public static let initFunction: @convention(c) () -> PyPointer? = {
        NativeModule.create()
    }

    static func create() -> PyPointer? {
        if table == nil {
            let table = UnsafeMutablePointer<PyMethodDef>.allocate(capacity: methods.count + 1)
            for (index, method) in methods.enumerated() {
                let function: PyCFunction
                let flags: Int32
                switch method.calling {
                case .noArguments(let f): function = f; flags = METH_NOARGS
                case .oneArgument(let f): function = f; flags = METH_O
                case .fastCall(let f): function = unsafeBitCast(f, to: PyCFunction.self); flags = METH_FASTCALL
                }
                table[index] = PyMethodDef(ml_name: strdup(method.name), ml_meth: function, ml_flags: flags,
                                           ml_doc: method.doc.isEmpty ? nil : UnsafePointer(strdup(method.doc)))
            }
            table[methods.count] = PyMethodDef(ml_name: nil, ml_meth: nil, ml_flags: 0, ml_doc: nil)
            self.table = table
        }
        return pyro_module_create(name, "pyrometer's native engine", table)
    }

    /// The imported module.
    public static func module() throws -> PyRef {
        try PyRef.importModule(name)
    }

    /// Raises `error` in Python, for a native method about to return NULL: a
    /// Python exception as it was, a `PyrometerError` as ValueError, anything else
    /// as RuntimeError.
    public static func raise(_ error: Error) {
        switch error {
        case let error as PythonError: error.restore()
        case let error as PyrometerError: pyro_set_value_error(error.message)
        default: pyro_set_runtime_error("\(error)")
        }
    }

    /// What a native method returns: `body`'s object as a new reference, or NULL
    /// with `body`'s error raised in Python.
    public static func answer(_ body: () throws -> PyRef) -> PyPointer? {
        do {
            return try body().newReference()
        } catch {
            raise(error)
            return nil
        }
    }

    /// A new reference to None, the usual return value of a native method.
    @inline(__always)
    public static func returnNone() -> PyPointer? {
        let none = pyro_none()
        Py_IncRef(none)
        return none
    }
}
