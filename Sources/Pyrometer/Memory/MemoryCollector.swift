import CPython

/// One allocation site: a code object and instruction offset (a source line once
/// symbolised), with what it holds now.
struct SiteRecord {
    var code: PyPointer?       // nil: no Python frame (native code, threads without the GIL)
    var offset: Int32
    var liveBytes: Int64
    var liveCount: Int64
}

/// Everything the allocator hooks touch, in manually managed memory.
struct MemoryState {
    var lock: Int32 = 0
    /// Attribute each allocation to its source line (for the top lists); without
    /// it every block counts under site 0 and only the totals are kept.
    var trackSites = true
    /// Keep calls of the chosen functions with their times (for the timeline).
    var recordCalls = true
    var table = AllocationTable()
    /// Bytes traced and still allocated, and the most there ever were.
    var current: Int64 = 0
    var peak: Int64 = 0
    var allocations: Int64 = 0
    /// The running maximum of `current` since the innermost line began (for the
    /// per-line Peak column; see LineCollector).
    var lineMax: Int64 = 0

    var sites: UnsafeMutablePointer<SiteRecord>
    var siteCount = 1
    var siteCapacity = 1024
    var siteIndex: UnsafeMutablePointer<UInt32>   // open addressing: site id + 1, 0 empty
    var siteIndexCapacity = 4096

    /// Live bytes and counts of every site when the peak was last recorded, and
    /// the Python stack that reached it.
    var snapshotBytes: UnsafeMutablePointer<Int64>
    var snapshotCounts: UnsafeMutablePointer<Int64>
    var snapshotSites = 0
    var snapshotCapacity = 1024
    var snapshotPeak: Int64 = 0
    var peakStackCodes: UnsafeMutablePointer<PyPointer?>
    var peakStackOffsets: UnsafeMutablePointer<Int32>
    var peakStackDepth = 0
    /// Code objects of earlier peak stacks, released only outside the hooks: a
    /// release may free memory, which would re-enter them.
    var retired: UnsafeMutablePointer<PyPointer?>
    var retiredCount = 0
    var retiredCapacity = 256

    /// RSS estimate for the per-line Mem usage column: the last reading, and the
    /// traced bytes when it was taken.
    var rssReading: UInt64 = 0
    var tracedAtReading: Int64 = 0

    /// Calls and returns of the chosen functions, for the plot: (time, code, +1/-1).
    var callEvents: UnsafeMutablePointer<CallEvent>
    var callEventCount = 0
}

struct CallEvent {
    var nanoseconds: UInt64
    var code: Int32
    var entering: Bool
}

/// The allocator-side collector: wraps CPython's raw, mem and object allocators
/// (and numpy's data allocator) and keeps, per live block, its size and site.
enum MemoryCollector {
    static let peakStackCapacity = 64
    static let callEventCapacity = 1 << 18

    /// The state block (created on first use, then reached through a C global).
    @inline(__always)
    static var state: UnsafeMutablePointer<MemoryState> {
        if let state = pyro_memory_state() { return state.assumingMemoryBound(to: MemoryState.self) }
        return CollectorStates.created.memory
    }

    nonisolated(unsafe) static let storage: UnsafeMutablePointer<MemoryState> = {
        let state = UnsafeMutablePointer<MemoryState>.allocate(capacity: 1)
        state.initialize(to: MemoryState(
            sites: .allocate(capacity: 1024), siteIndex: .allocate(capacity: 4096),
            snapshotBytes: .allocate(capacity: 1024), snapshotCounts: .allocate(capacity: 1024),
            peakStackCodes: .allocate(capacity: peakStackCapacity), peakStackOffsets: .allocate(capacity: peakStackCapacity),
            retired: .allocate(capacity: 256), callEvents: .allocate(capacity: callEventCapacity)))
        state.pointee.sites[0] = SiteRecord(code: nil, offset: 0, liveBytes: 0, liveCount: 0)
        state.pointee.siteIndex.initialize(repeating: 0, count: 4096)
        return state
    }()

    // MARK: Hot path (inside allocator hooks)

    @inline(__always)
    static func recordAllocation(_ address: UnsafeMutableRawPointer, size: Int) {
        let s = state
        pyro_spin_lock(&s.pointee.lock)
        let site = currentSite(s)
        s.pointee.table.insert(UInt(bitPattern: address), size: size, site: site)
        let bytes = Int64(size)
        s.pointee.sites[Int(site)].liveBytes &+= bytes
        s.pointee.sites[Int(site)].liveCount &+= 1
        s.pointee.allocations &+= 1
        let current = s.pointee.current &+ bytes
        s.pointee.current = current
        if current > s.pointee.lineMax { s.pointee.lineMax = current }
        if current > s.pointee.peak {
            s.pointee.peak = current
            if current >= s.pointee.snapshotPeak + max(1 << 16, s.pointee.snapshotPeak / 100) { snapshotPeak(s) }
        }
        pyro_spin_unlock(&s.pointee.lock)
    }

    @inline(__always)
    static func recordFree(_ address: UnsafeMutableRawPointer) {
        let s = state
        pyro_spin_lock(&s.pointee.lock)
        if let (size, site) = s.pointee.table.remove(UInt(bitPattern: address)) {
            let bytes = Int64(size)
            s.pointee.sites[Int(site)].liveBytes &-= bytes
            s.pointee.sites[Int(site)].liveCount &-= 1
            s.pointee.current &-= bytes
        }
        pyro_spin_unlock(&s.pointee.lock)
    }

    /// The site of the running Python line, created on first sight.
    @inline(__always)
    static func currentSite(_ s: UnsafeMutablePointer<MemoryState>) -> UInt32 {
        var code: PyPointer? = nil
        var offset: Int32 = 0
        guard s.pointee.trackSites, pyro_current_location(&code, &offset) != 0, let code else { return 0 }
        var index = homeSlot(code: code, offset: offset, capacity: s.pointee.siteIndexCapacity)
        while true {
            let entry = s.pointee.siteIndex[index]
            if entry == 0 { return newSite(s, code: code, offset: offset, slot: index) }
            let site = s.pointee.sites[Int(entry - 1)]
            if site.code == code && site.offset == offset { return entry - 1 }
            index = (index + 1) & (s.pointee.siteIndexCapacity - 1)
        }
    }

    /// Where a (code object, offset) pair starts probing in the site index.
    @inline(__always)
    static func homeSlot(code: PyPointer?, offset: Int32, capacity: Int) -> Int {
        let key = UInt64(UInt(bitPattern: code)) ^ (UInt64(UInt32(bitPattern: offset)) &* 0x9E37_79B9_7F4A_7C15)
        return Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & (capacity - 1)
    }

    @inline(never)
    static func newSite(_ s: UnsafeMutablePointer<MemoryState>, code: PyPointer, offset: Int32, slot: Int) -> UInt32 {
        // The code object is kept alive until the report symbolises the site.
        Py_IncRef(code)
        if s.pointee.siteCount == s.pointee.siteCapacity {
            s.pointee.sites = LineCollector.moved(s.pointee.sites, count: s.pointee.siteCount, capacity: &s.pointee.siteCapacity)
        }
        let id = UInt32(s.pointee.siteCount)
        s.pointee.sites[Int(id)] = SiteRecord(code: code, offset: offset, liveBytes: 0, liveCount: 0)
        s.pointee.siteCount += 1
        s.pointee.siteIndex[slot] = id + 1
        if s.pointee.siteCount * 2 > s.pointee.siteIndexCapacity { rebuildSiteIndex(s) }
        return id
    }

    static func rebuildSiteIndex(_ s: UnsafeMutablePointer<MemoryState>) {
        s.pointee.siteIndex.deallocate()
        s.pointee.siteIndexCapacity *= 2
        let capacity = s.pointee.siteIndexCapacity
        s.pointee.siteIndex = .allocate(capacity: capacity)
        s.pointee.siteIndex.initialize(repeating: 0, count: capacity)
        for id in 1..<s.pointee.siteCount {
            let site = s.pointee.sites[id]
            var index = homeSlot(code: site.code, offset: site.offset, capacity: capacity)
            while s.pointee.siteIndex[index] != 0 { index = (index + 1) & (capacity - 1) }
            s.pointee.siteIndex[index] = UInt32(id + 1)
        }
    }

    /// Keeps what every site held at (nearly) the peak: taken each time the peak
    /// grows by 1% (at least 64 KiB), so the copies stay few.
    @inline(never)
    static func snapshotPeak(_ s: UnsafeMutablePointer<MemoryState>) {
        s.pointee.snapshotPeak = s.pointee.current
        let count = s.pointee.siteCount
        if count > s.pointee.snapshotCapacity {
            var capacity = s.pointee.snapshotCapacity
            while capacity < count { capacity *= 2 }
            s.pointee.snapshotBytes.deallocate()
            s.pointee.snapshotCounts.deallocate()
            s.pointee.snapshotBytes = .allocate(capacity: capacity)
            s.pointee.snapshotCounts = .allocate(capacity: capacity)
            s.pointee.snapshotCapacity = capacity
        }
        for id in 0..<count {
            s.pointee.snapshotBytes[id] = s.pointee.sites[id].liveBytes
            s.pointee.snapshotCounts[id] = s.pointee.sites[id].liveCount
        }
        s.pointee.snapshotSites = count
        for index in 0..<s.pointee.peakStackDepth {
            if s.pointee.retiredCount == s.pointee.retiredCapacity {
                s.pointee.retired = LineCollector.moved(s.pointee.retired, count: s.pointee.retiredCount, capacity: &s.pointee.retiredCapacity)
            }
            s.pointee.retired[s.pointee.retiredCount] = s.pointee.peakStackCodes[index]
            s.pointee.retiredCount += 1
        }
        let depth = Int(pyro_current_stack(s.pointee.peakStackCodes, s.pointee.peakStackOffsets, Int32(peakStackCapacity)))
        for index in 0..<depth { s.pointee.peakStackCodes[index].map { Py_IncRef($0) } }
        s.pointee.peakStackDepth = depth
    }

    // MARK: Reads for the line collector (GIL held)

    /// The resident set size now, estimated from the last reading and the traced
    /// bytes since; read again once the traced bytes moved by 256 KiB.
    @inline(__always)
    static func residentBytes() -> UInt64 {
        let s = state
        let drift = s.pointee.current &- s.pointee.tracedAtReading
        if s.pointee.rssReading == 0 || drift > 262_144 || drift < -262_144 {
            s.pointee.rssReading = pyro_resident_bytes()
            s.pointee.tracedAtReading = s.pointee.current
            return s.pointee.rssReading
        }
        return UInt64(max(0, Int64(s.pointee.rssReading) &+ drift))
    }

    /// A chosen function is entered or left (kept while the buffer has room).
    @inline(__always)
    static func recordCall(code: Int32, entering: Bool) {
        let s = state
        guard s.pointee.recordCalls, s.pointee.callEventCount < callEventCapacity else { return }
        s.pointee.callEvents[s.pointee.callEventCount] = CallEvent(nanoseconds: pyro_monotonic_ns(), code: code, entering: entering)
        s.pointee.callEventCount += 1
    }

    // MARK: Setup

    /// Starts a run: an empty state, recording sites and calls as asked.
    static func begin(trackSites: Bool, recordCalls: Bool) {
        reset()
        state.pointee.trackSites = trackSites
        state.pointee.recordCalls = recordCalls
    }

    /// Forgets everything; called with the hooks not installed (code objects are
    /// released here, which may free memory).
    static func reset() {
        let s = state
        s.pointee.table.removeAll()
        for id in 1..<s.pointee.siteCount { s.pointee.sites[id].code.map { Py_DecRef($0) } }
        for index in 0..<s.pointee.retiredCount { s.pointee.retired[index].map { Py_DecRef($0) } }
        s.pointee.retiredCount = 0
        s.pointee.sites[0] = SiteRecord(code: nil, offset: 0, liveBytes: 0, liveCount: 0)
        s.pointee.siteCount = 1
        s.pointee.siteIndex.update(repeating: 0, count: s.pointee.siteIndexCapacity)
        for index in 0..<s.pointee.peakStackDepth { s.pointee.peakStackCodes[index].map { Py_DecRef($0) } }
        s.pointee.peakStackDepth = 0
        s.pointee.snapshotSites = 0
        s.pointee.snapshotPeak = 0
        s.pointee.current = 0
        s.pointee.peak = 0
        s.pointee.lineMax = 0
        s.pointee.allocations = 0
        s.pointee.rssReading = 0
        s.pointee.callEventCount = 0
    }
}
