import CPython
import FoundationEssentials
import Glibc

/// The census functions of `_pyrometer`, behind the objgraph-compatible functions
/// of the `pyrometer` package.
enum CensusNativeMethods {
    static var methods: [NativeMethod] {
        [
            NativeMethod("census", .fastCall(census),
                         doc: "census(tracked_only, sizes, collect) -> [(type, count, bytes, tracked_count, tracked_bytes)]"),
            NativeMethod("objects", .fastCall(objects),
                         doc: "objects(tracked_only) -> every live object (tracked_only: gc.get_objects())"),
            NativeMethod("objects_named", .fastCall(objectsNamed),
                         doc: "objects_named(typename, tracked_only) -> the live objects whose type has this name"),
            NativeMethod("objects_at", .fastCall(objectsAt),
                         doc: "objects_at(addresses, tracked_only) -> the live objects whose id() is among addresses"),
            NativeMethod("referents", .oneArgument(referents),
                         doc: "referents(obj) -> the objects obj holds, dict keys included"),
            NativeMethod("unreferenced", .oneArgument(unreferenced),
                         doc: "unreferenced(objects) -> those of objects no tracked object refers to"),
            NativeMethod("reference_graph", .noArguments(referenceGraph),
                         doc: "reference_graph() -> a snapshot of every object's references, for referrers()"),
            NativeMethod("referrers", .fastCall(referrers),
                         doc: "referrers(graph, obj) -> the objects holding obj in the snapshot"),
            NativeMethod("new_ids", .fastCall(newIds),
                         doc: "new_ids(previous, tracked_only, shortnames) -> (snapshot, [(name, old, current, new ids)])"),
            NativeMethod("render_graph", .fastCall(renderGraph),
                         doc: "render_graph(json, filename) -> DOT text (filename None), else (dot_path, image_path, note)"),
        ]
    }

    private static func flag(_ argument: PyPointer?) -> Bool {
        argument.map { PyObject_IsTrue($0) == 1 } ?? false
    }

    private static let census: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        guard let args, count == 3 else {
            pyro_set_type_error("census(tracked_only, sizes, collect)")
            return nil
        }
        let options = CensusWalk.Options(trackedOnly: flag(args[0]), measureSizes: flag(args[1]),
                                         listObjects: false, collectFirst: flag(args[2]))
        return NativeModule.answer {
            try CensusWalk.run(options) { tally, _ in
                let rows = try PyRef(owned: PyList_New(0))
                for entry in tally.filled {
                    let type = UnsafeMutableRawPointer(entry.type!).assumingMemoryBound(to: PyObject.self)
                    let row = try PyRef.tuple([PyRef(borrowed: type), .int(entry.count), .int(entry.bytes),
                                               .int(entry.trackedCount), .int(entry.trackedBytes)])
                    if PyList_Append(rows.pointer, row.pointer) != 0 { throw PythonError.fetch() }
                }
                return rows
            }
        }
    }

    private static let objects: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        guard let args, count == 1 else {
            pyro_set_type_error("objects(tracked_only)")
            return nil
        }
        if flag(args[0]) { return NativeModule.answer { try HeapTraversal.trackedObjects() } }
        let options = CensusWalk.Options(trackedOnly: false, measureSizes: false, listObjects: true)
        return NativeModule.answer {
            try CensusWalk.run(options) { _, found in try found!.list() }
        }
    }

    /// The objects of the census that `keep` accepts, as a list. The list is made
    /// before the walk (making a tracked object may run a collection, which
    /// must not free what the walk met) and is not one of the objects.
    private static func objects(trackedOnly: Bool, where keep: (PyPointer) -> Bool) throws -> PyRef {
        let result = try PyRef(owned: PyList_New(0))
        let options = CensusWalk.Options(trackedOnly: false, measureSizes: false, listObjects: true)
        if trackedOnly {
            let tracked = try HeapTraversal.trackedObjects()
            for position in 0..<pyro_list_size(tracked.pointer) {
                let object = pyro_list_item(tracked.pointer, position)!
                if object != result.pointer, keep(object), PyList_Append(result.pointer, object) != 0 {
                    throw PythonError.fetch()
                }
            }
            return result
        }
        try CensusWalk.run(options) { _, found in
            let found = found!
            for position in 0..<found.count where found[position] != result.pointer && keep(found[position]) {
                if PyList_Append(result.pointer, found[position]) != 0 { throw PythonError.fetch() }
            }
        }
        return result
    }

    private static let objectsNamed: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        guard let args, count == 2, let name = args[0].flatMap({ PyRef(borrowed: $0).stringValue }) else {
            pyro_set_type_error("objects_named(typename, tracked_only)")
            return nil
        }
        return NativeModule.answer {
            // Per type met: 1 if it has the name, 0 if not.
            var verdicts = ObjectMap(expected: 1024)
            defer { verdicts.release() }
            let qualified: Int32 = name.contains(".") ? 1 : 0
            var utf8 = Array(name.utf8)
            return try utf8.withUnsafeMutableBufferPointer { bytes in
                try bytes.withMemoryRebound(to: CChar.self) { text in
                    try objects(trackedOnly: flag(args[1])) { object in
                        let type = pyro_type(object)!
                        let key = UnsafeMutableRawPointer(type).assumingMemoryBound(to: PyObject.self)
                        if let verdict = verdicts.value(of: key) { return verdict == 1 }
                        let named = pyro_type_is_named(type, text.baseAddress, text.count, qualified) != 0
                        _ = verdicts.insert(key, named ? 1 : 0)
                        return named
                    }
                }
            }
        }
    }

    private static let objectsAt: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        guard let args, count == 2, let addresses = args[0] else {
            pyro_set_type_error("objects_at(addresses, tracked_only)")
            return nil
        }
        return NativeModule.answer {
            var wanted = ObjectMap(expected: 1024)
            defer { wanted.release() }
            let iterator = try PyRef(owned: PyObject_GetIter(addresses))
            while let item = PyIter_Next(iterator.pointer) {
                let address = PyLong_AsVoidPtr(item)
                Py_DecRef(item)
                if let address {
                    _ = wanted.insert(address.assumingMemoryBound(to: PyObject.self))
                } else if PyErr_Occurred() != nil {
                    throw PythonError.fetch()
                }
            }
            if PyErr_Occurred() != nil { throw PythonError.fetch() }
            if wanted.count == 0 { return try PyRef(owned: PyList_New(0)) }
            return try objects(trackedOnly: flag(args[1])) { wanted.contains($0) }
        }
    }

    private static let collectInto: visitproc = { object, context in
        guard let object, let context else { return 0 }
        let list = context.assumingMemoryBound(to: PyObject.self)
        return PyList_Append(list, object) == 0 ? 0 : -1
    }

    private static let referents: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, object in
        guard let object else { return nil }
        return NativeModule.answer {
            let list = try PyRef(owned: PyList_New(0))
            HeapTraversal.references(of: object, collectInto, UnsafeMutableRawPointer(list.pointer))
            if PyErr_Occurred() != nil { throw PythonError.fetch() }
            return list
        }
    }

    private static let markReferenced: visitproc = { object, context in
        guard let object, let context else { return 0 }
        _ = context.assumingMemoryBound(to: ObjectMap.self).pointee.insert(object)
        return 0
    }

    private static let unreferenced: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, candidates in
        guard let candidates, pyro_is_list(candidates) != 0 else {
            pyro_set_type_error("unreferenced(objects): objects must be a list")
            return nil
        }
        return NativeModule.answer {
            let tracked = try HeapTraversal.trackedObjects()
            let referenced = UnsafeMutablePointer<ObjectMap>.allocate(capacity: 1)
            referenced.initialize(to: ObjectMap(expected: pyro_list_size(tracked.pointer) * 2))
            defer {
                referenced.pointee.release()
                referenced.deinitialize(count: 1)
                referenced.deallocate()
            }
            for position in 0..<pyro_list_size(tracked.pointer) {
                let holder = pyro_list_item(tracked.pointer, position)!
                if holder == candidates { continue }
                HeapTraversal.references(of: holder, markReferenced, UnsafeMutableRawPointer(referenced))
            }
            let result = try PyRef(owned: PyList_New(0))
            for position in 0..<pyro_list_size(candidates) {
                let object = pyro_list_item(candidates, position)!
                if !referenced.pointee.contains(object), PyList_Append(result.pointer, object) != 0 {
                    throw PythonError.fetch()
                }
            }
            return result
        }
    }

    // A capsule keeps the pointer to its name, not a copy: the names are C
    // strings that live as long as the process (a Swift String passed as
    // `const char *` is a temporary buffer).
    nonisolated(unsafe) private static let capsuleName = UnsafePointer(strdup("pyrometer.ReferenceGraph")!)

    private static let releaseGraph: @convention(c) (PyPointer?) -> Void = { capsule in
        guard let capsule, let pointer = PyCapsule_GetPointer(capsule, capsuleName) else { PyErr_Clear(); return }
        Unmanaged<ReferenceGraph>.fromOpaque(pointer).release()
    }

    private static let referenceGraph: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, _ in
        NativeModule.answer {
            let graph = try ReferenceGraph()
            let pointer = Unmanaged.passRetained(graph).toOpaque()
            guard let capsule = PyCapsule_New(pointer, capsuleName, releaseGraph) else {
                Unmanaged<ReferenceGraph>.fromOpaque(pointer).release()
                throw PythonError.fetch()
            }
            return try PyRef(owned: capsule)
        }
    }

    private static let referrers: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        guard let args, count == 2, let capsule = args[0], let object = args[1],
              let pointer = PyCapsule_GetPointer(capsule, capsuleName) else {
            if PyErr_Occurred() == nil { pyro_set_type_error("referrers(graph, obj)") }
            return nil
        }
        let graph = Unmanaged<ReferenceGraph>.fromOpaque(pointer).takeUnretainedValue()
        return NativeModule.answer {
            let list = try PyRef(owned: PyList_New(0))
            if let node = graph.node(of: object) {
                var previous: Int32 = -1
                for source in graph.referrers(of: node) where source != previous {  // a holder's edges are adjacent
                    previous = source
                    if PyList_Append(list.pointer, graph.object(source)) != 0 { throw PythonError.fetch() }
                }
            }
            return list
        }
    }

    nonisolated(unsafe) private static let snapshotName = UnsafePointer(strdup("pyrometer.IdentitySnapshot")!)

    private static let releaseSnapshot: @convention(c) (PyPointer?) -> Void = { capsule in
        guard let capsule, let pointer = PyCapsule_GetPointer(capsule, snapshotName) else { PyErr_Clear(); return }
        Unmanaged<IdentitySnapshot>.fromOpaque(pointer).release()
    }

    private static let newIds: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        guard let args, count == 3, let previousObject = args[0] else {
            pyro_set_type_error("new_ids(previous, tracked_only, shortnames)")
            return nil
        }
        var previous: IdentitySnapshot?
        if previousObject != pyro_none() {
            guard let pointer = PyCapsule_GetPointer(previousObject, snapshotName) else { return nil }
            previous = Unmanaged<IdentitySnapshot>.fromOpaque(pointer).takeUnretainedValue()
        }
        return NativeModule.answer {
            let snapshot = try IdentitySnapshot(trackedOnly: flag(args[1]), skipping: previous == nil ? nil : previousObject)
            let rows = try PyRef(owned: PyList_New(0))
            for row in snapshot.rows(since: previous, shortNames: flag(args[2])) {
                let ids = try PyRef(owned: PySet_New(nil))
                for address in row.new {
                    let id = try PyRef(owned: PyLong_FromVoidPtr(UnsafeMutableRawPointer(bitPattern: address)))
                    if PySet_Add(ids.pointer, id.pointer) != 0 { throw PythonError.fetch() }
                }
                let item = try PyRef.tuple([.string(row.name), .int(row.old), .int(row.current), ids])
                if PyList_Append(rows.pointer, item.pointer) != 0 { throw PythonError.fetch() }
            }
            let pointer = Unmanaged.passRetained(snapshot).toOpaque()
            guard let capsule = PyCapsule_New(pointer, snapshotName, releaseSnapshot) else {
                Unmanaged<IdentitySnapshot>.fromOpaque(pointer).release()
                throw PythonError.fetch()
            }
            return try .tuple([PyRef(owned: capsule), rows])
        }
    }

    private static let renderGraph: @convention(c) (PyPointer?, UnsafePointer<PyPointer?>?, Py_ssize_t) -> PyPointer? = { _, args, count in
        guard let args, count == 2, let json = args[0].flatMap({ PyRef(borrowed: $0).stringValue }) else {
            pyro_set_type_error("render_graph(json, filename)")
            return nil
        }
        let filename = args[1].flatMap { $0 == pyro_none() ? nil : PyRef(borrowed: $0).stringValue }
        return NativeModule.answer {
            let graph: ObjectGraph
            do {
                graph = try JSONDecoder().decode(ObjectGraph.self, from: Data(json.utf8))
            } catch {
                throw PyrometerError("not an object graph: \(error)")
            }
            guard let filename else { return try .string(DotGraphReport.render(graph)) }
            let outcome = try GraphFile.write(graph, to: filename)
            return try .tuple([.string(outcome.dotPath), outcome.imagePath.map { try .string($0) } ?? .none,
                               outcome.note.map { try .string($0) } ?? .none])
        }
    }
}
