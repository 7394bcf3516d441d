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
        /// `object.__sizeof__`, not overridden: computed in C from the type's
        /// basic and item sizes.
        case basic
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
    private var deferredUntracked = ObjectStack(capacity: 64)
    private var deferredTracked = ObjectStack(capacity: 64)
    private var deferredTrackedOnly = ObjectStack(capacity: 16)

    init(measureSizes: Bool) {
        self.measureSizes = measureSizes
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: Entry(), count: capacity)
        sizeofName = PyUnicode_InternFromString("__sizeof__")
    }

    func release() {
        entries.deallocate()
        Py_DecRef(sizeofName)
        deferredUntracked.release()
        deferredTracked.release()
        deferredTrackedOnly.release()
    }

    @inline(__always)
    mutating func add(_ object: PyPointer, tracked: Bool) {
        let index = self.index(of: object)
        entries[index].count += 1
        if tracked { entries[index].trackedCount += 1 }
        guard measureSizes else { return }
        if case .getsizeof = entries[index].sizer {
            holdForSizing(object, tracked ? .tracked : .untracked)
            return
        }
        let size = self.size(of: object, entry: &entries[index])
        entries[index].bytes += size
        if tracked { entries[index].trackedBytes += size }
    }

    /// Turns an object counted as untracked into a tracked one (an immortal
    /// object met through a reference before its turn in the collector's lists).
    mutating func markTracked(_ object: PyPointer) {
        let index = self.index(of: object)
        entries[index].trackedCount += 1
        guard measureSizes else { return }
        if case .getsizeof = entries[index].sizer {
            holdForSizing(object, .trackedOnly)
            return
        }
        entries[index].trackedBytes += size(of: object, entry: &entries[index])
    }

    @inline(__always)
    private mutating func index(of object: PyPointer) -> Int {
        let type = pyro_type(object)!
        if type == recentTypes.0 { return recentIndices.0 }
        if type == recentTypes.1 { return recentIndices.1 }
        if type == recentTypes.2 { return recentIndices.2 }
        let index = slot(for: type, first: object)
        recentTypes = (type, recentTypes.0, recentTypes.1)
        recentIndices = (index, recentIndices.0, recentIndices.1)
        return index
    }

    /// Which byte totals a deferred object's size goes to.
    private enum Deferred { case untracked, tracked, trackedOnly }

    /// Holds an object whose size only `sys.getsizeof` gives (which may run
    /// Python code, not allowed during the walk) until `sizeDeferred()`.
    private mutating func holdForSizing(_ object: PyPointer, _ kind: Deferred) {
        Py_IncRef(object)
        switch kind {
        case .untracked: deferredUntracked.push(object)
        case .tracked: deferredTracked.push(object)
        case .trackedOnly: deferredTrackedOnly.push(object)
        }
    }

    /// Sizes the objects held by `holdForSizing` (Python code may run) and lets them go.
    mutating func sizeDeferred() {
        for (objects, bytes, trackedBytes) in [(deferredUntracked, true, false), (deferredTracked, true, true),
                                               (deferredTrackedOnly, false, true)] {
            for position in 0..<objects.count {
                let object = objects[position]
                let size = max(0, pyro_getsizeof(object))
                let index = slot(for: pyro_type(object)!, first: object)
                if bytes { entries[index].bytes += size }
                if trackedBytes { entries[index].trackedBytes += size }
            }
        }
        for objects in [deferredUntracked, deferredTracked, deferredTrackedOnly] {
            for position in 0..<objects.count { Py_DecRef(objects[position]) }
        }
        deferredUntracked.removeAll()
        deferredTracked.removeAll()
        deferredTrackedOnly.removeAll()
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
        case .basic:
            return pyro_object_sizeof(object) + entry.overhead
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
        if pyro_fast_sizeof(object) >= 0 {
            entry.sizer = .computed
        } else if pyro_has_object_sizeof(entry.type!) != 0 && pyro_object_sizeof(object) == direct {
            entry.sizer = .basic
        } else {
            entry.sizer = .method(sizeOf)
        }
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
