import CPython

/// A pointer to a Python object, as the C API hands it out.
public typealias PyPointer = UnsafeMutablePointer<PyObject>

/// An owned (strong) reference to a Python object.
///
/// This is the one place where pyrometer changes reference counts: a `PyRef` made
/// with `owned:` takes over a new reference, one made with `borrowed:` adds its own,
/// and dropping the last Swift reference releases it. Every call below needs the GIL.
public final class PyRef: @unchecked Sendable {  // guarded by the GIL
    public let pointer: PyPointer

    /// Takes over a new reference. `nil` pointer means the call failed: the Python
    /// error is converted to a thrown `PythonError`.
    public init(owned pointer: PyPointer?) throws {
        guard let pointer else { throw PythonError.fetch() }
        self.pointer = pointer
    }

    /// Adds a reference to an object someone else owns.
    public init(borrowed pointer: PyPointer) {
        Py_IncRef(pointer)
        self.pointer = pointer
    }

    deinit { Py_DecRef(pointer) }

    /// A new reference for the C API to steal or to return to Python.
    public func newReference() -> PyPointer {
        Py_IncRef(pointer)
        return pointer
    }

    public static var none: PyRef { PyRef(borrowed: pyro_none()) }
    public static func bool(_ value: Bool) -> PyRef { PyRef(borrowed: value ? pyro_true() : pyro_false()) }

    public static func string(_ value: String) throws -> PyRef {
        try PyRef(owned: PyUnicode_FromString(value))
    }
    public static func int(_ value: Int) throws -> PyRef {
        try PyRef(owned: PyLong_FromLongLong(Int64(value)))
    }
    public static func tuple(_ items: [PyRef]) throws -> PyRef {
        let tuple = try PyRef(owned: PyTuple_New(items.count))
        for (index, item) in items.enumerated() {
            PyTuple_SetItem(tuple.pointer, index, item.newReference())  // steals
        }
        return tuple
    }
    public static func list(_ items: [PyRef]) throws -> PyRef {
        let list = try PyRef(owned: PyList_New(0))
        for item in items where PyList_Append(list.pointer, item.pointer) != 0 {
            throw PythonError.fetch()
        }
        return list
    }

    public static func importModule(_ name: String) throws -> PyRef {
        try PyRef(owned: PyImport_ImportModule(name))
    }

    public func attribute(_ name: String) throws -> PyRef {
        try PyRef(owned: PyObject_GetAttrString(pointer, name))
    }

    /// The attribute, or nil when it does not exist (the AttributeError is cleared).
    public func optionalAttribute(_ name: String) -> PyRef? {
        if let value = PyObject_GetAttrString(pointer, name) { return try? PyRef(owned: value) }
        PyErr_Clear()
        return nil
    }

    public func setAttribute(_ name: String, _ value: PyRef) throws {
        if PyObject_SetAttrString(pointer, name, value.pointer) != 0 { throw PythonError.fetch() }
    }

    @discardableResult
    public func call(_ arguments: PyRef..., keywords: [String: PyRef] = [:]) throws -> PyRef {
        try call(arguments: arguments, keywords: keywords)
    }

    @discardableResult
    public func call(arguments: [PyRef], keywords: [String: PyRef] = [:]) throws -> PyRef {
        let args = try PyRef.tuple(arguments)
        var kwargs: PyRef? = nil
        if !keywords.isEmpty {
            let dict = try PyRef(owned: PyDict_New())
            for (key, value) in keywords where PyDict_SetItemString(dict.pointer, key, value.pointer) != 0 {
                throw PythonError.fetch()
            }
            kwargs = dict
        }
        // The argument objects must outlive the call, not just the reads of their pointers.
        return try withExtendedLifetime((args, kwargs)) {
            try PyRef(owned: PyObject_Call(pointer, args.pointer, kwargs?.pointer))
        }
    }

    @discardableResult
    public func callMethod(_ name: String, _ arguments: PyRef..., keywords: [String: PyRef] = [:]) throws -> PyRef {
        try attribute(name).call(arguments: arguments, keywords: keywords)
    }

    /// `str(self)` as a Swift string.
    public var description: String {
        guard let text = PyObject_Str(pointer) else { PyErr_Clear(); return "<unprintable>" }
        defer { Py_DecRef(text) }
        return PyRef.swiftString(text) ?? "<unprintable>"
    }

    /// The value of a `str` object, or nil for any other object.
    public var stringValue: String? { PyRef.swiftString(pointer) }

    /// The value of an `int` object, or nil for any other object.
    public var intValue: Int? {
        guard pyro_is_long(pointer) != 0 else { return nil }
        let value = PyLong_AsLongLong(pointer)
        if value == -1, PyErr_Occurred() != nil { PyErr_Clear(); return nil }
        return Int(value)
    }

    public var isNone: Bool { pointer == pyro_none() }

    /// `self[key] = value` for a dict.
    public func setItem(_ key: String, _ value: PyRef) throws {
        if PyDict_SetItemString(pointer, key, value.pointer) != 0 { throw PythonError.fetch() }
    }

    /// `self.get(key)` for a dict.
    public func item(forKey key: String) -> PyRef? {
        PyDict_GetItemString(pointer, key).map { PyRef(borrowed: $0) }
    }

    /// `list(self)`.
    public func list() throws -> PyRef {
        try PyRef(owned: PySequence_List(pointer))
    }

    /// The value of a `float` (or anything with `__float__`).
    public var doubleValue: Double? {
        let value = PyFloat_AsDouble(pointer)
        if value == -1, PyErr_Occurred() != nil { PyErr_Clear(); return nil }
        return value
    }

    /// Items of any iterable.
    public func iterate() throws -> [PyRef] {
        let iterator = try PyRef(owned: PyObject_GetIter(pointer))
        var items: [PyRef] = []
        while let next = PyIter_Next(iterator.pointer) {
            items.append(try PyRef(owned: next))
        }
        if PyErr_Occurred() != nil { throw PythonError.fetch() }
        return items
    }

    public func item(_ index: Int) throws -> PyRef {
        try PyRef(owned: PySequence_GetItem(pointer, index))
    }

    public func isInstance(of type: PyRef) -> Bool {
        PyObject_IsInstance(pointer, type.pointer) == 1
    }

    static func swiftString(_ object: PyPointer) -> String? {
        guard pyro_is_unicode(object) != 0 else { return nil }
        var size: Py_ssize_t = 0
        guard let utf8 = PyUnicode_AsUTF8AndSize(object, &size) else { PyErr_Clear(); return nil }
        return utf8.withMemoryRebound(to: UInt8.self, capacity: size) {
            String(decoding: UnsafeBufferPointer(start: $0, count: size), as: UTF8.self)
        }
    }
}

/// A Python exception turned into a Swift error: its type name and message, and
/// the exception object itself so it can be printed as Python would.
public struct PythonError: Error, CustomStringConvertible {
    public let typeName: String
    public let message: String
    public let exception: PyRef?

    public var description: String { message.isEmpty ? typeName : "\(typeName): \(message)" }

    /// Raises the exception again in Python (for a native function about to return NULL).
    public func restore() {
        if let exception { pyro_restore_exception(exception.newReference()) } else { pyro_set_runtime_error(description) }
    }

    /// Prints the exception and its traceback to sys.stderr as Python would.
    public func printTraceback() {
        guard let exception else { return }
        _ = try? PyRef.importModule("traceback").attribute("print_exception").call(exception)
        _ = try? PyRef(borrowed: PySys_GetObject("stderr")!).callMethod("flush")
    }

    /// Takes the pending Python exception (clearing it).
    public static func fetch() -> PythonError {
        guard let raised = pyro_take_exception() else {
            return PythonError(typeName: "SystemError", message: "a Python call failed without an exception", exception: nil)
        }
        let exception = try? PyRef(owned: raised)
        let typeName = exception.flatMap { exc -> String? in
            let type = PyRef(borrowed: UnsafeMutableRawPointer(pyro_type(exc.pointer)).assumingMemoryBound(to: PyObject.self))
            return type.optionalAttribute("__name__")?.stringValue
        } ?? "Exception"
        return PythonError(typeName: typeName, message: exception?.description ?? "", exception: exception)
    }
}
