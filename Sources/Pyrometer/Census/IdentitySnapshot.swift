import CPython

/// The identities of every live object at one moment, with their type names, for
/// `get_new_ids()`: which objects are new since the previous snapshot.
///
/// Nothing of it is a Python object but the capsule that carries it, and the
/// census that takes the next snapshot is told to skip that capsule, so the
/// bookkeeping of `get_new_ids()` never counts itself: with nothing allocated
/// between two calls, the second finds no new object.
final class IdentitySnapshot: @unchecked Sendable {  // used under the GIL
    /// Address → index of the object's type in `types`.
    private var typeOf: ObjectMap
    /// Addresses and type indices in the order the census met the objects.
    private let addresses: UnsafeMutablePointer<UInt>
    private let typeIndices: UnsafeMutablePointer<Int32>
    let count: Int
    /// Per type: its short name (`__name__`) and long one (`module.__name__`).
    private(set) var shortNames: [String] = []
    private(set) var longNames: [String] = []

    /// Takes a snapshot of the live objects (the tracked ones only, if
    /// `trackedOnly`), leaving out `skipping` (the previous snapshot's capsule).
    init(trackedOnly: Bool, skipping: PyPointer?) throws {
        var types: [PyPointer] = []
        var typeIndex = ObjectMap(expected: 1024)
        defer { typeIndex.release() }
        var taken: (ObjectMap, UnsafeMutablePointer<UInt>, UnsafeMutablePointer<Int32>, Int)?
        var short: [String] = [], long: [String] = []
        let options = CensusWalk.Options(trackedOnly: trackedOnly, measureSizes: false, listObjects: true)
        try CensusWalk.run(options) { _, found in
            let objects = found!
            let addresses = UnsafeMutablePointer<UInt>.allocate(capacity: max(objects.count, 1))
            let indices = UnsafeMutablePointer<Int32>.allocate(capacity: max(objects.count, 1))
            var map = ObjectMap(expected: objects.count)
            var count = 0
            for position in 0..<objects.count {
                let object = objects[position]
                if object == skipping { continue }
                let type = UnsafeMutableRawPointer(pyro_type(object)!).assumingMemoryBound(to: PyObject.self)
                let next = Int32(types.count)
                let index: Int32
                if typeIndex.insert(type, next) {
                    types.append(type)
                    index = next
                } else {
                    index = typeIndex.value(of: type)!
                }
                addresses[count] = UInt(bitPattern: object)
                indices[count] = index
                _ = map.insert(object, index)
                count += 1
            }
            taken = (map, addresses, indices, count)
            // Names are read while the census still holds the tracked objects
            // (so every type met is alive); reading them may run Python.
            for type in types {
                let (name, longName) = IdentitySnapshot.names(of: type)
                short.append(name)
                long.append(longName)
            }
        }
        (typeOf, addresses, typeIndices, count) = taken!
        shortNames = short
        longNames = long
    }

    deinit {
        typeOf.release()
        addresses.deallocate()
        typeIndices.deallocate()
    }

    /// The names pyrometer's Python functions give a type: `__name__`, and
    /// `module.__name__` when the type has a (true) `__module__`.
    private static func names(of type: PyPointer) -> (String, String) {
        let object = PyRef(borrowed: type)
        let name = object.optionalAttribute("__name__").flatMap { $0.stringValue } ?? "?"
        guard let module = object.optionalAttribute("__module__"), PyObject_IsTrue(module.pointer) == 1,
              let text = try? PyRef(owned: PyObject_Str(module.pointer)).stringValue else {
            PyErr_Clear()
            return (name, name)
        }
        return (name, "\(text).\(name)")
    }

    /// One row of `get_new_ids()`: a type name, how many objects of it the
    /// previous snapshot and this one hold, and the addresses of this one's
    /// objects that the previous did not hold under the same name.
    struct Row {
        var name: String
        var old = 0
        var current = 0
        var new: [UInt] = []
    }

    /// This snapshot against `previous` (nil: every object is new), by short or
    /// long type names, one row per name present in either.
    func rows(since previous: IdentitySnapshot?, shortNames short: Bool) -> [Row] {
        var rows: [Row] = []
        var rowOfName: [String: Int] = [:]
        func row(_ name: String) -> Int {
            if let index = rowOfName[name] { return index }
            rows.append(Row(name: name))
            rowOfName[name] = rows.count - 1
            return rows.count - 1
        }
        let names = short ? shortNames : longNames
        let currentRow = names.map(row)
        var previousRow: [Int] = []
        if let previous {
            previousRow = (short ? previous.shortNames : previous.longNames).map(row)
            for position in 0..<previous.count {
                rows[previousRow[Int(previous.typeIndices[position])]].old += 1
            }
        }
        for position in 0..<count {
            let index = currentRow[Int(typeIndices[position])]
            rows[index].current += 1
            let address = addresses[position]
            if let previous, let before = previous.typeOf.value(of: PyPointer(bitPattern: address)!),
               previousRow[Int(before)] == index {
                continue
            }
            rows[index].new.append(address)
        }
        return rows
    }
}
