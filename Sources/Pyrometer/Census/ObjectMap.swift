import CPython

/// Object addresses → small integers (an index, a parent, a mark), in open
/// addressing with linear probing, in memory from the C allocator. No deletion:
/// a census builds one, reads it and drops it.
struct ObjectMap {
    private var keys: UnsafeMutablePointer<UInt>    // 0: empty
    private var values: UnsafeMutablePointer<Int32>
    private var capacity: Int
    private(set) var count = 0

    init(expected: Int = 1024) {
        var capacity = 1024
        while capacity < expected * 2 { capacity <<= 1 }
        self.capacity = capacity
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
        values = .allocate(capacity: capacity)
    }

    func release() {
        keys.deallocate()
        values.deallocate()
    }

    @inline(__always)
    private func home(_ key: UInt) -> Int {
        // Objects are 16-byte aligned; the multiplier spreads neighbours apart.
        Int(truncatingIfNeeded: (UInt64(key >> 4) &* 0x9E37_79B9_7F4A_7C15) >> 20) & (capacity - 1)
    }

    /// Adds `object` with `value` unless present; true when it was added.
    @inline(__always)
    mutating func insert(_ object: PyPointer, _ value: Int32 = 0) -> Bool {
        if count * 2 >= capacity { grow() }
        let key = UInt(bitPattern: object)
        var index = home(key)
        while true {
            let current = keys[index]
            if current == key { return false }
            if current == 0 { break }
            index = (index + 1) & (capacity - 1)
        }
        keys[index] = key
        values[index] = value
        count += 1
        return true
    }

    @inline(__always)
    func value(of object: PyPointer) -> Int32? {
        let key = UInt(bitPattern: object)
        var index = home(key)
        while true {
            let current = keys[index]
            if current == key { return values[index] }
            if current == 0 { return nil }
            index = (index + 1) & (capacity - 1)
        }
    }

    func contains(_ object: PyPointer) -> Bool { value(of: object) != nil }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values, oldCapacity = capacity
        capacity <<= 1
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
        values = .allocate(capacity: capacity)
        count = 0
        for index in 0..<oldCapacity where oldKeys[index] != 0 {
            _ = insert(PyPointer(bitPattern: oldKeys[index])!, oldValues[index])
        }
        oldKeys.deallocate()
        oldValues.deallocate()
    }
}

/// A growable array of object pointers in C-allocated memory (no references held).
struct ObjectStack {
    private(set) var base: UnsafeMutablePointer<PyPointer>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    func release() { base.deallocate() }

    @inline(__always)
    mutating func push(_ object: PyPointer) {
        if count == capacity { grow() }
        base[count] = object
        count += 1
    }

    @inline(__always)
    mutating func pop() -> PyPointer? {
        guard count > 0 else { return nil }
        count -= 1
        return base[count]
    }

    subscript(index: Int) -> PyPointer { base[index] }

    mutating func removeAll() { count = 0 }

    /// A Python list of the objects, holding a reference to each.
    func list() throws -> PyRef {
        let list = try PyRef(owned: PyList_New(count))
        for index in 0..<count {
            Py_IncRef(base[index])
            PyList_SetItem(list.pointer, index, base[index])  // steals
        }
        return list
    }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<PyPointer>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }
}
