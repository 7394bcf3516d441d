import CPython

/// Count and bytes per type, keyed by the type object's address, in open
/// addressing. Sizes follow `sys.getsizeof`: the type's `__sizeof__` plus the
/// GC header and pre-header. How to get `__sizeof__` is decided once per type;
/// what `sys.getsizeof` adds on top is measured on the first object of each type.
struct TypeTally {
    /// How the objects of a type are sized.
    enum Sizer {
        /// Computed in C without a call (exact dict and int).
        case computed
        /// The C function behind the type's `__sizeof__`, called directly.
        case method(PyCFunction)
        /// `sys.getsizeof` itself (type objects, which differ among themselves,
        /// and types whose `__sizeof__` is written in Python).
        case getsizeof
    }

    struct Entry {
        var type: UnsafeMutablePointer<PyTypeObject>?
        var count = 0
        var bytes = 0
        var trackedCount = 0
        var trackedBytes = 0
        var sizer = Sizer.getsizeof
        /// What `sys.getsizeof` adds to `__sizeof__` (GC header, pre-header).
        var overhead = 0
    }

    private(set) var entries: UnsafeMutablePointer<Entry>
    private var capacity = 1 << 12
    private(set) var used = 0
    // The last few types met, most recent first: heaps alternate among a handful.
    private var recentTypes: (UnsafeMutablePointer<PyTypeObject>?, UnsafeMutablePointer<PyTypeObject>?,
                              UnsafeMutablePointer<PyTypeObject>?) = (nil, nil, nil)
    private var recentIndices = (0, 0, 0)
    let measureSizes: Bool
    private let sizeofName: PyPointer

    init(measureSizes: Bool) {
        self.measureSizes = measureSizes
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: Entry(), count: capacity)
        sizeofName = PyUnicode_InternFromString("__sizeof__")
    }

    func release() {
        entries.deallocate()
        Py_DecRef(sizeofName)
    }

    @inline(__always)
    mutating func add(_ object: PyPointer, tracked: Bool) {
        let type = pyro_type(object)!
        let index: Int
        if type == recentTypes.0 {
            index = recentIndices.0
        } else if type == recentTypes.1 {
            index = recentIndices.1
        } else if type == recentTypes.2 {
            index = recentIndices.2
        } else {
            index = slot(for: type, first: object)
            recentTypes = (type, recentTypes.0, recentTypes.1)
            recentIndices = (index, recentIndices.0, recentIndices.1)
        }
        let size = measureSizes ? self.size(of: object, entry: &entries[index]) : 0
        entries[index].count += 1
        entries[index].bytes += size
        if tracked {
            entries[index].trackedCount += 1
            entries[index].trackedBytes += size
        }
    }

    /// Adds `count` untracked objects of `sample`'s type, `bytes` by their
    /// `__sizeof__` (what `sys.getsizeof` adds on top is added here).
    mutating func add(_ count: Int, bytes: Int, like sample: PyPointer) {
        let index = slot(for: pyro_type(sample)!, first: sample)
        entries[index].count += count
        if measureSizes { entries[index].bytes += bytes + count * entries[index].overhead }
    }

    @inline(__always)
    private func size(of object: PyPointer, entry: inout Entry) -> Int {
        switch entry.sizer {
        case .computed:
            return pyro_fast_sizeof(object) + entry.overhead
        case .method(let sizeOf):
            if let result = sizeOf(object, nil) {
                let size = PyLong_AsSsize_t(result)
                Py_DecRef(result)
                if size >= 0 { return size + entry.overhead }
            }
            PyErr_Clear()
            return max(0, pyro_getsizeof(object))
        case .getsizeof:
            return max(0, pyro_getsizeof(object))
        }
    }

    @inline(__always)
    private static func home(_ type: UnsafeMutablePointer<PyTypeObject>, _ capacity: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(UInt(bitPattern: type) >> 4) &* 0x9E37_79B9_7F4A_7C15) >> 40) & (capacity - 1)
    }

    private mutating func slot(for type: UnsafeMutablePointer<PyTypeObject>, first object: PyPointer) -> Int {
        var index = TypeTally.home(type, capacity)
        while let present = entries[index].type {
            if present == type { return index }
            index = (index + 1) & (capacity - 1)
        }
        if (used + 1) * 2 >= capacity {
            grow()
            return slot(for: type, first: object)
        }
        used += 1
        entries[index] = Entry(type: type)
        if measureSizes { learnSize(of: &entries[index], from: object) }
        return index
    }

    private func learnSize(of entry: inout Entry, from object: PyPointer) {
        // Type objects differ among themselves (static types have no GC header).
        guard pyro_is_type(object) == 0,
              let sizeOf = pyro_noargs_method(pyro_type_lookup(entry.type!, sizeofName)) else { return }
        guard let result = sizeOf(object, nil) else { PyErr_Clear(); return }
        let direct = PyLong_AsSsize_t(result)
        Py_DecRef(result)
        let full = pyro_getsizeof(object)
        if direct < 0 || full < 0 { PyErr_Clear(); return }
        entry.overhead = full - direct
        entry.sizer = pyro_fast_sizeof(object) >= 0 ? .computed : .method(sizeOf)
    }

    private mutating func grow() {
        let old = entries, oldCapacity = capacity
        capacity <<= 1
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: Entry(), count: capacity)
        for index in 0..<oldCapacity {
            guard let type = old[index].type else { continue }
            var slot = TypeTally.home(type, capacity)
            while entries[slot].type != nil { slot = (slot + 1) & (capacity - 1) }
            entries[slot] = old[index]
        }
        old.deallocate()
        recentTypes = (nil, nil, nil)
    }

    /// The filled entries.
    var filled: [Entry] {
        (0..<capacity).compactMap { entries[$0].type == nil ? nil : entries[$0] }
    }
}
