import CPython
import FoundationEssentials

/// The retained-size functions of `_pyrometer`, behind `pyrometer.retained()`,
/// `pyrometer.dominators()`, `pyrometer.top_retained()` and the `retained=True`
/// drawings. A tree is a snapshot: Python builds one per question and drops it.
enum DominatorNativeMethods {
    static var methods: [NativeMethod] {
        [
            NativeMethod("dominator_tree", .fastCall(dominatorTree),
                         doc: "dominator_tree(collect, question=None) -> a snapshot of the heap's dominator tree and retained sizes (question: a list or tuple of the objects asked about, not holding them)"),
            NativeMethod("retained_size", .fastCall(retainedSize),
                         doc: "retained_size(tree, obj) -> bytes freed if obj went (None: obj is newer than tree)"),
            NativeMethod("retained_sizes", .fastCall(retainedSizes),
                         doc: "retained_sizes(tree, addresses) -> [bytes or None], by id()"),
            NativeMethod("dominator_chain", .fastCall(dominatorChain),
                         doc: "dominator_chain(tree, obj) -> the objects that dominate obj, outermost first"),
            NativeMethod("largest_retained", .fastCall(largestRetained),
                         doc: "largest_retained(tree, limit, typename) -> [(obj, bytes)], largest first"),
        ]
    }

    // The capsule keeps the name's address: a C string that lives as long as the process.
    nonisolated(unsafe) private static let capsuleName = UnsafePointer<CChar>(strdup("pyrometer.HeapDominators")!)

    private static let release: @convention(c) (PyPointer?) -> Void = { capsule in
        guard let capsule, let pointer = PyCapsule_GetPointer(capsule, capsuleName) else { PyErr_Clear(); return }
        Unmanaged<HeapDominators>.fromOpaque(pointer).release()
    }

    private static let dominatorTree: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        guard let args, count == 1 || count == 2, let collect = args[0] else {
            pyro_set_type_error("dominator_tree(collect, question=None)")
            return nil
        }
        var question = HeapDominators.Question()
        if count == 2, let asked = args[1], asked != pyro_none() {
            guard pyro_is_list(asked) != 0 || pyro_is_tuple(asked) != 0 else {
                pyro_set_type_error("dominator_tree(collect, question): question must be a list or tuple")
                return nil
            }
            question.container = asked
            let size = pyro_is_list(asked) != 0 ? pyro_list_size(asked) : PyTuple_Size(asked)
            for index in 0..<size {
                if let item = pyro_is_list(asked) != 0 ? pyro_list_item(asked, index) : PyTuple_GetItem(asked, index) {
                    question.objects.append(item)
                }
            }
        }
        return NativeModule.answer {
            let tree = try HeapDominators(collectFirst: PyObject_IsTrue(collect) == 1, question: question)
            let pointer = Unmanaged.passRetained(tree).toOpaque()
            guard let capsule = PyCapsule_New(pointer, capsuleName, release) else {
                Unmanaged<HeapDominators>.fromOpaque(pointer).release()
                throw PythonError.fetch()
            }
            return try PyRef(owned: capsule)
        }
    }

    /// The tree in a capsule, and the other arguments.
    private static func arguments(_ args: UnsafePointer<PyPointer?>?, _ count: Py_ssize_t, _ wanted: Int,
                                  _ usage: String) -> (HeapDominators, [PyPointer])? {
        guard let args, count == wanted, let capsule = args[0],
              let pointer = PyCapsule_GetPointer(capsule, capsuleName) else {
            if PyErr_Occurred() == nil { pyro_set_type_error(usage) }
            return nil
        }
        var rest: [PyPointer] = []
        for index in 1..<wanted {
            guard let argument = args[index] else { pyro_set_type_error(usage); return nil }
            rest.append(argument)
        }
        return (Unmanaged<HeapDominators>.fromOpaque(pointer).takeUnretainedValue(), rest)
    }

    private static let retainedSize: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        guard let (tree, rest) = arguments(args, count, 2, "retained_size(tree, obj)") else { return nil }
        return NativeModule.answer {
            try tree.retainedSize(of: rest[0]).map { try .int($0) } ?? .none
        }
    }

    private static let retainedSizes: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        guard let (tree, rest) = arguments(args, count, 2, "retained_sizes(tree, addresses)") else { return nil }
        return NativeModule.answer {
            var sizes: [PyRef] = []
            for address in try PyRef(borrowed: rest[0]).iterate() {
                let value = PyLong_AsVoidPtr(address.pointer)
                if PyErr_Occurred() != nil { throw PythonError.fetch() }
                // Only an address the snapshot holds is read as an object.
                if let value, let node = tree.graph.node(of: value.assumingMemoryBound(to: PyObject.self)) {
                    sizes.append(try .int(tree.retained[Int(node)]))
                } else {
                    sizes.append(.none)
                }
            }
            return try .list(sizes)
        }
    }

    private static let dominatorChain: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        guard let (tree, rest) = arguments(args, count, 2, "dominator_chain(tree, obj)") else { return nil }
        return NativeModule.answer {
            try .list(tree.dominators(of: rest[0]).map { PyRef(borrowed: $0) })
        }
    }

    private static let largestRetained: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        guard let (tree, rest) = arguments(args, count, 3, "largest_retained(tree, limit, typename)") else { return nil }
        return NativeModule.answer {
            guard let limit = PyRef(borrowed: rest[0]).intValue, limit >= 0 else {
                throw PyrometerError("largest_retained: limit must be an int >= 0")
            }
            let wanted = rest[1] == pyro_none() ? nil : PyRef(borrowed: rest[1]).stringValue
            // Named as objgraph names types: `module.Name` when the name has a dot, else `Name`.
            var matches: [UInt: Bool] = [:]
            func accept(_ node: Int32) -> Bool {
                guard let wanted else { return true }
                let type = pyro_type(tree.graph.object(node))!
                let key = UInt(bitPattern: type)
                if let known = matches[key] { return known }
                let object = PyRef(borrowed: UnsafeMutableRawPointer(type).assumingMemoryBound(to: PyObject.self))
                let short = object.optionalAttribute("__name__")?.stringValue ?? String(cString: pyro_type_name(type))
                let name = wanted.contains(".")
                    ? (object.optionalAttribute("__module__")?.stringValue).map { "\($0).\(short)" } ?? short
                    : short
                matches[key] = name == wanted
                return name == wanted
            }
            let found = tree.largest(limit, where: accept)
            return try .list(found.map { try .tuple([PyRef(borrowed: tree.graph.object($0)), .int(tree.retained[Int($0)])]) })
        }
    }
}
