/// Live allocations: address → size and allocation site. Open addressing with
/// linear probing and backward-shift deletion, in memory taken from the C
/// allocator directly (never from Python's, which it observes). Callers hold the
/// collector's lock.
struct AllocationTable {
    struct Entry {
        var address: UInt      // 0: empty
        var sizeAndSite: UInt64  // size in the low 40 bits, site in the high 24
    }

    static let sizeBits: UInt64 = 40
    static let sizeMask: UInt64 = (1 << 40) - 1

    private(set) var entries: UnsafeMutablePointer<Entry>
    private(set) var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: Entry(address: 0, sizeAndSite: 0), count: capacity)
    }

    /// A block's home slot. Each 4 KiB page of addresses maps to a run of 256
    /// consecutive slots at a hashed place, so blocks close in memory (a pymalloc
    /// pool, a list's items made in a row) share cache lines of the table.
    @inline(__always)
    private func slot(of address: UInt) -> Int {
        let page = UInt64(address) >> 12
        let base = Int(truncatingIfNeeded: (page &* 0x9E37_79B9_7F4A_7C15) >> 24) << 8
        return (base | Int((address >> 4) & 0xFF)) & (capacity - 1)
    }

    @inline(__always)
    mutating func insert(_ address: UInt, size: Int, site: UInt32) {
        if count * 2 >= capacity { grow() }
        let packed = UInt64(truncatingIfNeeded: size) & AllocationTable.sizeMask | UInt64(site) << AllocationTable.sizeBits
        var index = slot(of: address)
        while true {
            let current = entries[index].address
            if current == 0 { count += 1; break }
            if current == address { break }  // reused before we saw its free
            index = (index + 1) & (capacity - 1)
        }
        entries[index] = Entry(address: address, sizeAndSite: packed)
    }

    /// The slot holding `address`, or nil when it is not in the table.
    @inline(__always)
    private func find(_ address: UInt) -> Int? {
        var index = slot(of: address)
        while true {
            let current = entries[index].address
            if current == 0 { return nil }
            if current == address { return index }
            index = (index + 1) & (capacity - 1)
        }
    }

    /// The site of the live block at `address`, if it is known.
    func site(of address: UInt) -> UInt32? {
        find(address).map { UInt32(truncatingIfNeeded: entries[$0].sizeAndSite >> AllocationTable.sizeBits) }
    }

    /// Removes `address`; returns its size and site, or nil if it is not known
    /// (allocated before tracing started).
    @inline(__always)
    mutating func remove(_ address: UInt) -> (size: Int, site: UInt32)? {
        guard let index = find(address) else { return nil }
        let packed = entries[index].sizeAndSite
        // Backward-shift deletion keeps every probe chain unbroken.
        var hole = index
        var next = (hole + 1) & (capacity - 1)
        while entries[next].address != 0 {
            let home = slot(of: entries[next].address)
            let distanceFromHome = (next - home) & (capacity - 1)
            let distanceFromHole = (next - hole) & (capacity - 1)
            if distanceFromHome >= distanceFromHole {
                entries[hole] = entries[next]
                hole = next
            }
            next = (next + 1) & (capacity - 1)
        }
        entries[hole] = Entry(address: 0, sizeAndSite: 0)
        count -= 1
        return (Int(packed & AllocationTable.sizeMask), UInt32(truncatingIfNeeded: packed >> AllocationTable.sizeBits))
    }

    @inline(never)
    private mutating func grow() {
        let old = entries
        let oldCapacity = capacity
        capacity *= 2
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: Entry(address: 0, sizeAndSite: 0), count: capacity)
        count = 0
        for index in 0..<oldCapacity where old[index].address != 0 {
            let entry = old[index]
            insert(entry.address, size: Int(entry.sizeAndSite & AllocationTable.sizeMask),
                   site: UInt32(truncatingIfNeeded: entry.sizeAndSite >> AllocationTable.sizeBits))
        }
        old.deallocate()
    }

    mutating func removeAll() {
        entries.update(repeating: Entry(address: 0, sizeAndSite: 0), count: capacity)
        count = 0
    }
}
