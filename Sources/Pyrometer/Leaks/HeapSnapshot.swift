import CPython

/// Live objects and bytes per type (by `module.QualifiedName`) at one moment,
/// from a complete census; optionally the addresses of every object then, so
/// objects made later can be told apart.
struct HeapSnapshot {
    var byType: [String: (count: Int, bytes: Int)] = [:]
    var totalCount = 0
    var totalBytes = 0

    /// Takes a census after a full collection. With `addresses`, also fills it
    /// with every live object and its size (`sys.getsizeof`, capped at 2 GiB).
    static func take(addresses: UnsafeMutablePointer<ObjectMap>? = nil) throws -> HeapSnapshot {
        let options = CensusWalk.Options(trackedOnly: false, measureSizes: true, listObjects: addresses != nil,
                                         collectFirst: true)
        return try CensusWalk.run(options) { tally, objects in
            var snapshot = HeapSnapshot()
            var names = TypeNames()
            for entry in tally.filled {
                let name = names.name(of: entry.type!)
                let old = snapshot.byType[name] ?? (0, 0)
                snapshot.byType[name] = (old.count + entry.count, old.bytes + entry.bytes)
                snapshot.totalCount += entry.count
                snapshot.totalBytes += entry.bytes
            }
            if let addresses, let objects {
                for index in 0..<objects.count {
                    _ = addresses.pointee.insert(objects[index], Int32(clamping: pyro_getsizeof(objects[index])))
                }
            }
            return snapshot
        }
    }
}

/// `module.QualifiedName` of type objects, looked up once per type.
struct TypeNames {
    private var cache: [UInt: String] = [:]

    mutating func name(of type: UnsafeMutablePointer<PyTypeObject>) -> String {
        let key = UInt(bitPattern: type)
        if let known = cache[key] { return known }
        let object = PyRef(borrowed: UnsafeMutableRawPointer(type).assumingMemoryBound(to: PyObject.self))
        let qualified = object.optionalAttribute("__qualname__")?.stringValue
            ?? String(cString: pyro_type_name(type))
        let module = object.optionalAttribute("__module__")?.stringValue
        let name = module.map { $0 == "builtins" ? qualified : "\($0).\(qualified)" } ?? qualified
        cache[key] = name
        return name
    }

    mutating func name(ofObject object: PyPointer) -> String { name(of: pyro_type(object)!) }
}
