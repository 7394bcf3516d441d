import CPython

/// One allocation site: a code object and instruction offset, and the place they
/// stand for (file, qualified name, line), kept when the site is made. The site
/// holds the file and name strings, never the code object: code that dies (an
/// exec'd snippet) is freed as without pyrometer. Its address may then be reused
/// by another code object, so a site found by address is taken only when that
/// code has the same file, name and first line.
struct SiteRecord {
    var code: PyPointer?       // nil: no Python frame (native code, threads without the GIL)
    var offset: Int32
    var line: Int32
    var firstLine: Int32
    var filename: PyPointer?   // held
    var qualname: PyPointer?   // held
    var liveBytes: Int64
    var liveCount: Int64

    nonisolated(unsafe) static let empty = SiteRecord(code: nil, offset: 0, line: 0, firstLine: 0, filename: nil, qualname: nil, liveBytes: 0, liveCount: 0)
}

/// An allocation or free seen by a thread that did not hold the GIL (the raw
/// domain: lzma, zlib, thread states), applied by the next hook that holds it.
struct DeferredEvent {
    var address: UInt
    var size: Int   // -1: a free
}

/// Everything the allocator hooks touch, in manually managed memory. Hooks that
/// hold the GIL (every call of the mem and object domains, raw calls from a
/// thread holding it) use it without a lock: the GIL serialises them. Threads
/// without the GIL only append to `deferred`, under `deferredLock`.
struct MemoryState {
    var deferredLock: Int32 = 0
    /// Non-zero while `deferred` holds events (read without the lock first).
    var deferredPending: Int32 = 0
    var deferred: UnsafeMutablePointer<DeferredEvent>
    var deferredCount = 0
    var deferredCapacity = 65_536
    /// GIL-less events that found `deferred` full: not traced.
    var deferredDropped: Int64 = 0
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

    var sites: UnsafeMutablePointer<SiteRecord>
    var siteCount = 2
    var siteCapacity = 1024
    var siteIndex: UnsafeMutablePointer<UInt32>   // open addressing: site id + 1, 0 empty
    var siteIndexCapacity = 4096
    /// Allocations charged to the overflow site because the table was full.
    var overflowAllocations: Int64 = 0

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
    /// Whether the peak stack had more (outer) frames than it keeps.
    var peakStackCut = false
    /// Code objects of earlier peak stacks, released only outside the hooks: a
    /// release may free memory, which would re-enter them.
    var retired: UnsafeMutablePointer<PyPointer?>
    var retiredCount = 0
    var retiredCapacity = 256

    /// RSS estimate for the per-line Mem usage column: the last reading, and the
    /// traced bytes when it was taken.
    var rssReading: UInt64 = 0
    var tracedAtReading: Int64 = 0
    /// `--include-children`: the RSS of child processes is added to the estimate,
    /// read again once `childrenInterval` nanoseconds have passed since the last
    /// reading (1 ms, or 20 times what a reading took, whichever is longer).
    var includeChildren = false
    var childrenReading: UInt64 = 0
    var childrenReadAt: UInt64 = 0
    var childrenInterval: UInt64 = 0

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
    static let peakStackCapacity = MemoryProfile.peakStackLimit
    static let callEventCapacity = 1 << 18
    /// Site 0: no Python frame (native code, threads without the GIL). Site 1:
    /// allocations made once the site table is full.
    static let noFrameSite: UInt32 = 0
    static let overflowSite: UInt32 = 1
    /// Sites fit in the 24 bits an allocation table entry keeps for them.
    static let siteLimit = 1 << 24

    /// The state block (created on first use, then reached through a C global).
    @inline(__always)
    static var state: UnsafeMutablePointer<MemoryState> {
        if let state = pyro_memory_state() { return state.assumingMemoryBound(to: MemoryState.self) }
        return CollectorStates.created.memory
    }

    nonisolated(unsafe) static let storage: UnsafeMutablePointer<MemoryState> = {
        let state = UnsafeMutablePointer<MemoryState>.allocate(capacity: 1)
        state.initialize(to: MemoryState(
            deferred: .allocate(capacity: 65_536),
            sites: .allocate(capacity: 1024), siteIndex: .allocate(capacity: 4096),
            snapshotBytes: .allocate(capacity: 1024), snapshotCounts: .allocate(capacity: 1024),
            peakStackCodes: .allocate(capacity: peakStackCapacity), peakStackOffsets: .allocate(capacity: peakStackCapacity),
            retired: .allocate(capacity: 256), callEvents: .allocate(capacity: callEventCapacity)))
        clearSites(state)
        state.pointee.siteIndex.initialize(repeating: 0, count: 4096)
        return state
    }()

    static func clearSites(_ s: UnsafeMutablePointer<MemoryState>) {
        s.pointee.sites[Int(noFrameSite)] = .empty
        s.pointee.sites[Int(overflowSite)] = .empty
        s.pointee.siteCount = 2
        s.pointee.overflowAllocations = 0
    }

    // MARK: Hot path (inside allocator hooks)

    /// An allocation by a thread holding the GIL.
    @inline(__always)
    static func recordAllocation(_ address: UnsafeMutableRawPointer, size: Int) {
        let s = state
        if pyro_atomic_load(&s.pointee.deferredPending) != 0 { applyDeferred(s) }
        let site = currentSite(s)
        let bytes = Int64(size)
        s.pointee.table.insert(UInt(bitPattern: address), size: size, site: site)
        s.pointee.sites[Int(site)].liveBytes &+= bytes
        s.pointee.sites[Int(site)].liveCount &+= 1
        if let slot = pyro_thread_slot() {
            let thread = slot.assumingMemoryBound(to: ThreadFrames.self)
            let traced = thread.pointee.traced &+ bytes
            thread.pointee.traced = traced
            if traced > thread.pointee.lineMax { thread.pointee.lineMax = traced }
        }
        count(s, bytes: bytes, stack: true)
    }

    /// Adds to the whole-program figures; the peak snapshot is taken with the
    /// running thread's stack only when that thread made the allocation.
    @inline(__always)
    static func count(_ s: UnsafeMutablePointer<MemoryState>, bytes: Int64, stack: Bool) {
        s.pointee.allocations &+= 1
        let current = s.pointee.current &+ bytes
        s.pointee.current = current
        if current > s.pointee.peak {
            s.pointee.peak = current
            if current >= s.pointee.snapshotPeak + max(1 << 16, s.pointee.snapshotPeak / 100) { snapshotPeak(s, withStack: stack) }
        }
    }

    /// A free by a thread holding the GIL.
    @inline(__always)
    static func recordFree(_ address: UnsafeMutableRawPointer) {
        let s = state
        if pyro_atomic_load(&s.pointee.deferredPending) != 0 { applyDeferred(s) }
        guard let (size, site) = s.pointee.table.remove(UInt(bitPattern: address)) else { return }
        let bytes = Int64(size)
        s.pointee.sites[Int(site)].liveBytes &-= bytes
        s.pointee.sites[Int(site)].liveCount &-= 1
        s.pointee.current &-= bytes
        if let slot = pyro_thread_slot() {
            slot.assumingMemoryBound(to: ThreadFrames.self).pointee.traced &-= bytes
        }
    }

    /// An allocation (size >= 0) or free (size -1) by a thread without the GIL:
    /// queued, so it touches nothing the GIL holder uses. A free is queued before
    /// the block is really freed, so no later allocation of the same address can
    /// be applied before it.
    static func deferEvent(_ address: UnsafeMutableRawPointer, size: Int) {
        let s = state
        pyro_lock_with_backoff(&s.pointee.deferredLock)
        if s.pointee.deferredCount < s.pointee.deferredCapacity {
            s.pointee.deferred[s.pointee.deferredCount] = DeferredEvent(address: UInt(bitPattern: address), size: size)
            s.pointee.deferredCount += 1
            pyro_atomic_store(&s.pointee.deferredPending, 1)
        } else {
            s.pointee.deferredDropped &+= 1
        }
        pyro_unlock(&s.pointee.deferredLock)
    }

    /// Applies the queued GIL-less events (the GIL held): their blocks belong to
    /// no Python frame and to no thread's lines.
    @inline(never)
    static func applyDeferred(_ s: UnsafeMutablePointer<MemoryState>) {
        pyro_lock_with_backoff(&s.pointee.deferredLock)
        for index in 0..<s.pointee.deferredCount {
            let event = s.pointee.deferred[index]
            if event.size >= 0 {
                s.pointee.table.insert(event.address, size: event.size, site: noFrameSite)
                s.pointee.sites[Int(noFrameSite)].liveBytes &+= Int64(event.size)
                s.pointee.sites[Int(noFrameSite)].liveCount &+= 1
                count(s, bytes: Int64(event.size), stack: false)
            } else if let (size, site) = s.pointee.table.remove(event.address) {
                s.pointee.sites[Int(site)].liveBytes &-= Int64(size)
                s.pointee.sites[Int(site)].liveCount &-= 1
                s.pointee.current &-= Int64(size)
            }
        }
        s.pointee.deferredCount = 0
        pyro_atomic_store(&s.pointee.deferredPending, 0)
        pyro_unlock(&s.pointee.deferredLock)
    }

    /// The site of the running Python line, created on first sight.
    @inline(__always)
    static func currentSite(_ s: UnsafeMutablePointer<MemoryState>) -> UInt32 {
        var code: PyPointer? = nil
        var offset: Int32 = 0
        guard s.pointee.trackSites, pyro_current_location(&code, &offset) != 0, let code else { return noFrameSite }
        var index = homeSlot(code: code, offset: offset, capacity: s.pointee.siteIndexCapacity)
        while true {
            let entry = s.pointee.siteIndex[index]
            if entry == 0 { return newSite(s, code: code, offset: offset, slot: index) }
            let site = s.pointee.sites[Int(entry - 1)]
            if site.code == code && site.offset == offset {
                if site.filename == pyro_code_filename(code) && site.qualname == pyro_code_qualname(code)
                    && site.firstLine == pyro_code_first_line(code) { return entry - 1 }
                // A dead code object's address, reused: a new site takes the slot.
                return newSite(s, code: code, offset: offset, slot: index)
            }
            index = (index + 1) & (s.pointee.siteIndexCapacity - 1)
        }
    }

    /// Where a (code object, offset) pair starts probing in the site index.
    @inline(__always)
    static func homeSlot(code: PyPointer?, offset: Int32, capacity: Int) -> Int {
        let key = UInt64(UInt(bitPattern: code)) ^ (UInt64(UInt32(bitPattern: offset)) &* 0x9E37_79B9_7F4A_7C15)
        return Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & (capacity - 1)
    }

    /// Makes a site for `slot` of the index (empty, or a reused address's). The
    /// GIL is held (this is the GIL path), so the strings can be held here.
    @inline(never)
    static func newSite(_ s: UnsafeMutablePointer<MemoryState>, code: PyPointer, offset: Int32, slot: Int) -> UInt32 {
        guard s.pointee.siteCount < siteLimit else {
            s.pointee.overflowAllocations &+= 1
            return overflowSite
        }
        if s.pointee.siteCount == s.pointee.siteCapacity {
            s.pointee.sites = LineCollector.moved(s.pointee.sites, count: s.pointee.siteCount, capacity: &s.pointee.siteCapacity)
        }
        let filename = pyro_code_filename(code)
        let qualname = pyro_code_qualname(code)
        filename.map { Py_IncRef($0) }
        qualname.map { Py_IncRef($0) }
        let id = UInt32(s.pointee.siteCount)
        let reused = s.pointee.siteIndex[slot] != 0
        s.pointee.sites[Int(id)] = SiteRecord(code: code, offset: offset, line: pyro_code_line(code, offset),
                                              firstLine: pyro_code_first_line(code), filename: filename, qualname: qualname,
                                              liveBytes: 0, liveCount: 0)
        s.pointee.siteCount += 1
        s.pointee.siteIndex[slot] = id + 1
        if !reused, s.pointee.siteCount * 2 > s.pointee.siteIndexCapacity { rebuildSiteIndex(s) }
        return id
    }

    /// Doubles the site index. A site whose slot was taken over by a reused
    /// address stays out of it.
    static func rebuildSiteIndex(_ s: UnsafeMutablePointer<MemoryState>) {
        var listed = [Bool](repeating: false, count: s.pointee.siteCount)
        for index in 0..<s.pointee.siteIndexCapacity where s.pointee.siteIndex[index] != 0 {
            listed[Int(s.pointee.siteIndex[index] - 1)] = true
        }
        s.pointee.siteIndex.deallocate()
        s.pointee.siteIndexCapacity *= 2
        let capacity = s.pointee.siteIndexCapacity
        s.pointee.siteIndex = .allocate(capacity: capacity)
        s.pointee.siteIndex.initialize(repeating: 0, count: capacity)
        for id in 2..<s.pointee.siteCount where listed[id] {
            let site = s.pointee.sites[id]
            var index = homeSlot(code: site.code, offset: site.offset, capacity: capacity)
            while s.pointee.siteIndex[index] != 0 { index = (index + 1) & (capacity - 1) }
            s.pointee.siteIndex[index] = UInt32(id + 1)
        }
    }

    /// Keeps what every site held at (nearly) the peak: taken each time the peak
    /// grows by 1% (at least 64 KiB), so the copies stay few. The stack is the
    /// running thread's when it made the allocation, else none.
    @inline(never)
    static func snapshotPeak(_ s: UnsafeMutablePointer<MemoryState>, withStack: Bool) {
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
        var cut: Int32 = 0
        let depth = withStack ? Int(pyro_current_stack(s.pointee.peakStackCodes, s.pointee.peakStackOffsets, Int32(peakStackCapacity), &cut)) : 0
        s.pointee.peakStackCut = cut != 0
        for index in 0..<depth { s.pointee.peakStackCodes[index].map { Py_IncRef($0) } }
        s.pointee.peakStackDepth = depth
    }

    // MARK: Reads for the line collector (GIL held)

    /// The resident set size now, estimated from the last reading and the traced
    /// bytes since; read again once the traced bytes moved by 256 KiB.
    @inline(__always)
    static func residentBytes() -> UInt64 {
        let s = state
        let children = s.pointee.includeChildren ? childrenResidentBytes(s) : 0
        let drift = s.pointee.current &- s.pointee.tracedAtReading
        if s.pointee.rssReading == 0 || drift > 262_144 || drift < -262_144 {
            s.pointee.rssReading = pyro_resident_bytes()
            s.pointee.tracedAtReading = s.pointee.current
            return s.pointee.rssReading &+ children
        }
        return UInt64(max(0, Int64(s.pointee.rssReading) &+ drift)) &+ children
    }

    /// The child processes' RSS, read again when the last reading is old: a line
    /// that ran longer than the interval (one that waited for a child) always gets
    /// a fresh one.
    @inline(never)
    static func childrenResidentBytes(_ s: UnsafeMutablePointer<MemoryState>) -> UInt64 {
        let now = pyro_monotonic_ns()
        if s.pointee.childrenReadAt == 0 || now &- s.pointee.childrenReadAt >= s.pointee.childrenInterval {
            s.pointee.childrenReading = ChildProcesses.residentBytes()
            let after = pyro_monotonic_ns()
            s.pointee.childrenReadAt = after
            s.pointee.childrenInterval = max(1_000_000, (after &- now) &* 20)
        }
        return s.pointee.childrenReading
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
    static func begin(trackSites: Bool, recordCalls: Bool, includeChildren: Bool = false) {
        reset()
        state.pointee.trackSites = trackSites
        state.pointee.recordCalls = recordCalls
        state.pointee.includeChildren = includeChildren
    }

    /// The peak starts again from what is traced now (a forked child).
    static func forgetPeak() {
        let s = state
        s.pointee.peak = s.pointee.current
        s.pointee.snapshotPeak = 0
        s.pointee.allocations = 0
    }

    /// Forgets everything; called with the hooks not installed (code objects are
    /// released here, which may free memory).
    static func reset() {
        let s = state
        s.pointee.table.removeAll()
        s.pointee.deferredCount = 0
        s.pointee.deferredPending = 0
        s.pointee.deferredDropped = 0
        for id in 2..<max(2, s.pointee.siteCount) {
            s.pointee.sites[id].filename.map { Py_DecRef($0) }
            s.pointee.sites[id].qualname.map { Py_DecRef($0) }
        }
        for index in 0..<s.pointee.retiredCount { s.pointee.retired[index].map { Py_DecRef($0) } }
        s.pointee.retiredCount = 0
        clearSites(s)
        s.pointee.siteIndex.update(repeating: 0, count: s.pointee.siteIndexCapacity)
        for index in 0..<s.pointee.peakStackDepth { s.pointee.peakStackCodes[index].map { Py_DecRef($0) } }
        s.pointee.peakStackDepth = 0
        s.pointee.peakStackCut = false
        s.pointee.snapshotSites = 0
        s.pointee.snapshotPeak = 0
        s.pointee.current = 0
        s.pointee.peak = 0
        s.pointee.allocations = 0
        s.pointee.rssReading = 0
        s.pointee.includeChildren = false
        s.pointee.childrenReading = 0
        s.pointee.childrenReadAt = 0
        s.pointee.callEventCount = 0
    }
}
