import CPython
import Glibc

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
    /// A stack site (memory flame graphs): its frames' line sites, innermost
    /// first, are `stackFrames[stackStart ..< stackStart + stackDepth]`; the
    /// record itself is its innermost frame's place. Depth 0: a line site.
    var stackStart: Int32 = 0
    var stackDepth: Int32 = 0

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

    /// Attribute each allocation to its whole Python stack (a stack site), for
    /// the memory flame graph; off by default, so the default cost is one line.
    var trackStacks = false
    /// The line sites of every stack site's frames, innermost first.
    var stackFrames: UnsafeMutablePointer<UInt32>
    var stackFrameCount = 0
    var stackFrameCapacity = 4096
    var stackIndex: UnsafeMutablePointer<UInt32>  // open addressing: stack site id + 1, 0 empty
    var stackIndexCapacity = 4096
    /// Stacks deeper than `MemoryCollector.stackLimit` kept their innermost frames.
    var stacksCut: Int64 = 0
    /// Where the running stack is copied before it is looked up.
    var scratchCodes: UnsafeMutablePointer<PyPointer?>
    var scratchOffsets: UnsafeMutablePointer<Int32>
    var scratchSites: UnsafeMutablePointer<UInt32>
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
    /// The most frames a stack site keeps (the innermost).
    static let stackLimit = 128

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
            retired: .allocate(capacity: 256), callEvents: .allocate(capacity: callEventCapacity),
            stackFrames: .allocate(capacity: 4096), stackIndex: .allocate(capacity: 4096),
            scratchCodes: .allocate(capacity: stackLimit), scratchOffsets: .allocate(capacity: stackLimit),
            scratchSites: .allocate(capacity: stackLimit)))
        clearSites(state)
        state.pointee.siteIndex.initialize(repeating: 0, count: 4096)
        state.pointee.stackIndex.initialize(repeating: 0, count: 4096)
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
        let site = s.pointee.trackStacks ? currentStackSite(s) : currentSite(s)
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
        return site(s, code: code, offset: offset)
    }

    /// The line site of a code object at an instruction offset, created on first sight.
    @inline(__always)
    static func site(_ s: UnsafeMutablePointer<MemoryState>, code: PyPointer, offset: Int32) -> UInt32 {
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

    /// The stack site of the running Python stack: its frames as line sites,
    /// looked up as one sequence, created on first sight.
    @inline(never)
    static func currentStackSite(_ s: UnsafeMutablePointer<MemoryState>) -> UInt32 {
        var cut: Int32 = 0
        let depth = Int(pyro_current_stack(s.pointee.scratchCodes, s.pointee.scratchOffsets, Int32(stackLimit), &cut))
        guard depth > 0 else { return noFrameSite }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for index in 0..<depth {
            guard let code = s.pointee.scratchCodes[index] else { return noFrameSite }
            let line = site(s, code: code, offset: s.pointee.scratchOffsets[index])
            if line == overflowSite { return overflowSite }
            s.pointee.scratchSites[index] = line
            hash = (hash ^ UInt64(line)) &* 0x100_0000_01B3
        }
        let mask = s.pointee.stackIndexCapacity - 1
        var slot = Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
        while true {
            let entry = s.pointee.stackIndex[slot]
            if entry == 0 { break }
            let record = s.pointee.sites[Int(entry - 1)]
            if Int(record.stackDepth) == depth,
               memcmp(s.pointee.stackFrames + Int(record.stackStart), s.pointee.scratchSites, depth * MemoryLayout<UInt32>.stride) == 0 {
                return entry - 1
            }
            slot = (slot + 1) & mask
        }
        guard s.pointee.siteCount < siteLimit else {
            s.pointee.overflowAllocations &+= 1
            return overflowSite
        }
        if cut != 0 { s.pointee.stacksCut &+= 1 }
        if s.pointee.siteCount == s.pointee.siteCapacity {
            s.pointee.sites = LineCollector.moved(s.pointee.sites, count: s.pointee.siteCount, capacity: &s.pointee.siteCapacity)
        }
        while s.pointee.stackFrameCount + depth > s.pointee.stackFrameCapacity {
            s.pointee.stackFrames = LineCollector.moved(s.pointee.stackFrames, count: s.pointee.stackFrameCount, capacity: &s.pointee.stackFrameCapacity)
        }
        (s.pointee.stackFrames + s.pointee.stackFrameCount).update(from: s.pointee.scratchSites, count: depth)
        var record = s.pointee.sites[Int(s.pointee.scratchSites[0])]  // the innermost frame's place
        record.filename.map { Py_IncRef($0) }
        record.qualname.map { Py_IncRef($0) }
        record.liveBytes = 0
        record.liveCount = 0
        record.stackStart = Int32(s.pointee.stackFrameCount)
        record.stackDepth = Int32(depth)
        s.pointee.stackFrameCount += depth
        let id = UInt32(s.pointee.siteCount)
        s.pointee.sites[Int(id)] = record
        s.pointee.siteCount += 1
        s.pointee.stackIndex[slot] = id + 1
        if s.pointee.siteCount * 2 > s.pointee.stackIndexCapacity { rebuildStackIndex(s) }
        return id
    }

    /// Doubles the stack index (sized by every site, so it stays under half full).
    static func rebuildStackIndex(_ s: UnsafeMutablePointer<MemoryState>) {
        s.pointee.stackIndex.deallocate()
        s.pointee.stackIndexCapacity *= 2
        let capacity = s.pointee.stackIndexCapacity
        s.pointee.stackIndex = .allocate(capacity: capacity)
        s.pointee.stackIndex.initialize(repeating: 0, count: capacity)
        for id in 2..<s.pointee.siteCount where s.pointee.sites[id].stackDepth > 0 {
            let record = s.pointee.sites[id]
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for index in 0..<Int(record.stackDepth) {
                hash = (hash ^ UInt64(s.pointee.stackFrames[Int(record.stackStart) + index])) &* 0x100_0000_01B3
            }
            var slot = Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> 32) & (capacity - 1)
            while s.pointee.stackIndex[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
            s.pointee.stackIndex[slot] = UInt32(id + 1)
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
    static func begin(trackSites: Bool, recordCalls: Bool, includeChildren: Bool = false, trackStacks: Bool = false) {
        reset()
        state.pointee.trackSites = trackSites || trackStacks
        state.pointee.trackStacks = trackStacks
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
        s.pointee.stackIndex.update(repeating: 0, count: s.pointee.stackIndexCapacity)
        s.pointee.stackFrameCount = 0
        s.pointee.stacksCut = 0
        s.pointee.trackStacks = false
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
