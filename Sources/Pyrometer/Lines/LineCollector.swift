import CPython

/// Per-line counters, one per source line of each timed code object. In memory
/// mode `ticks` holds net bytes (two's complement), `peak` the most bytes the line
/// held at once and `resident` the largest RSS after it.
struct LineSlot {
    var hits: UInt64 = 0
    var ticks: UInt64 = 0
    var peak: UInt64 = 0
    var resident: UInt64 = 0
}

/// A timed code object's counters: `count` slots for lines `firstLine...`. The
/// block never moves, so running frames keep a pointer to it.
struct TimedCodeSlots {
    var slots: UnsafeMutablePointer<LineSlot>
    var firstLine: Int32
    var count: Int32
}

/// One running (not suspended) frame of timed code, on its thread's shadow stack.
struct FrameRecord {
    var owner: UnsafeMutableRawPointer?   // the frame (trace hook) or code object (monitoring)
    var slots: UnsafeMutablePointer<LineSlot>
    var code: Int32                       // index in the timed-code table
    var firstLine: Int32
    var count: Int32
    var line: Int32                       // line being timed; 0 before the first line event
    var start: UInt64                     // ticks (or traced bytes) when `line` began
    var savedMax: Int64                   // memory mode: the enclosing line's running maximum
}

/// The shadow stack of timed frames of one OS thread (found through a TLS slot).
struct ThreadFrames {
    var records: UnsafeMutablePointer<FrameRecord>
    var depth: Int
    var capacity: Int
    var collector: UnsafeMutablePointer<CollectorState>
}

/// State shared by all threads. The GIL serialises every access.
struct CollectorState {
    var codes: UnsafeMutablePointer<TimedCodeSlots>
    var codeCount: Int
    var codeCapacity: Int
    var threads: UnsafeMutablePointer<UnsafeMutablePointer<ThreadFrames>>
    var threadCount: Int
    var threadCapacity: Int
    /// The co_extra slot holding each code object's mark (see `TimedCodes`).
    var extraIndex: Py_ssize_t
    /// Field offsets of 3.11 frame objects (zero elsewhere).
    var frameLayout: pyro_frame_layout
    /// Lines are measured in traced bytes (pyrometer memory) instead of ticks.
    var memoryMode: Bool
}

/// The native line collector: counts hits and ticks per line of timed code, with a
/// shadow stack per thread so recursion, generators and threads are charged to the
/// right frame. Hooks (the 3.11 trace function, the 3.12+ monitoring callbacks)
/// translate interpreter events into `enter`, `line` and `leave`.
///
/// An event costs a TLS load, a few loads and stores and one tick read: no
/// allocation, no reference counting, no exclusivity bookkeeping.
enum LineCollector {
    /// The state block (created on first use, then reached through a C global).
    @inline(__always)
    static var state: UnsafeMutablePointer<CollectorState> {
        if let state = pyro_line_state() { return state.assumingMemoryBound(to: CollectorState.self) }
        return CollectorStates.created.lines
    }

    nonisolated(unsafe) static let storage: UnsafeMutablePointer<CollectorState> = {
        let state = UnsafeMutablePointer<CollectorState>.allocate(capacity: 1)
        state.initialize(to: CollectorState(
            codes: .allocate(capacity: 64), codeCount: 0, codeCapacity: 64,
            threads: .allocate(capacity: 8), threadCount: 0, threadCapacity: 8,
            extraIndex: -1, frameLayout: pyro_legacy_frame_layout(), memoryMode: false))
        return state
    }()

    /// Classifies code objects never seen before (3.11 finds them at their first call).
    nonisolated(unsafe) static var codes: TimedCodes?

    // MARK: Setup (not on the hot path)

    /// Reserves counters for lines `firstLine...lastLine` of a new timed code object.
    static func addCode(firstLine: Int32, lastLine: Int32) -> Int32 {
        let s = state
        let count = Int(lastLine - firstLine) + 1
        let slots = UnsafeMutablePointer<LineSlot>.allocate(capacity: count)
        slots.initialize(repeating: LineSlot(), count: count)
        if s.pointee.codeCount == s.pointee.codeCapacity {
            s.pointee.codes = moved(s.pointee.codes, count: s.pointee.codeCount, capacity: &s.pointee.codeCapacity)
        }
        let index = s.pointee.codeCount
        s.pointee.codes[index] = TimedCodeSlots(slots: slots, firstLine: firstLine, count: Int32(count))
        s.pointee.codeCount += 1
        return Int32(index)
    }

    /// The counters of one timed code object, for lines that ran.
    static func counters(ofCode index: Int32) -> [(line: Int, hits: UInt64, ticks: UInt64)] {
        slots(ofCode: index).map { ($0.line, $0.slot.hits, $0.slot.ticks) }
    }

    static func slots(ofCode index: Int32) -> [(line: Int, slot: LineSlot)] {
        let code = state.pointee.codes[Int(index)]
        return (0..<Int(code.count)).compactMap { offset in
            let slot = code.slots[offset]
            return slot.hits > 0 || slot.ticks > 0 ? (Int(code.firstLine) + offset, slot) : nil
        }
    }

    /// Forgets all codes and counts; every thread's stack is emptied.
    static func reset() {
        let s = state
        for index in 0..<s.pointee.codeCount { s.pointee.codes[index].slots.deallocate() }
        s.pointee.codeCount = 0
        for index in 0..<s.pointee.threadCount { s.pointee.threads[index].pointee.depth = 0 }
    }

    // MARK: Hot path

    /// The timed index of a code object, or nil when it is not timed.
    @inline(__always)
    static func timedIndex(_ code: UnsafeMutableRawPointer) -> Int32? {
        let object = code.assumingMemoryBound(to: PyObject.self)
        let mark = Int(bitPattern: pyro_code_get_extra(object, state.pointee.extraIndex))
        if mark >= 2 { return Int32(truncatingIfNeeded: mark - 2) }
        if mark == 1 { return nil }
        return codes?.classify(object)
    }

    @inline(__always)
    static func currentThread() -> UnsafeMutablePointer<ThreadFrames> {
        if let slot = pyro_thread_slot() { return slot.assumingMemoryBound(to: ThreadFrames.self) }
        return newThread()
    }

    @inline(never)
    static func newThread() -> UnsafeMutablePointer<ThreadFrames> {
        let s = state
        let thread = UnsafeMutablePointer<ThreadFrames>.allocate(capacity: 1)
        thread.initialize(to: ThreadFrames(records: .allocate(capacity: 256), depth: 0, capacity: 256, collector: s))
        if s.pointee.threadCount == s.pointee.threadCapacity {
            s.pointee.threads = moved(s.pointee.threads, count: s.pointee.threadCount, capacity: &s.pointee.threadCapacity)
        }
        s.pointee.threads[s.pointee.threadCount] = thread
        s.pointee.threadCount += 1
        pyro_set_thread_slot(thread)
        return thread
    }

    /// A timed frame starts or resumes.
    @inline(__always)
    static func enter(owner: UnsafeMutableRawPointer, code: Int32) {
        let thread = currentThread()
        if thread.pointee.depth == thread.pointee.capacity { grow(thread) }
        let slots = thread.pointee.collector.pointee.codes[Int(code)]
        (thread.pointee.records + thread.pointee.depth).initialize(to: FrameRecord(
            owner: owner, slots: slots.slots, code: code, firstLine: slots.firstLine, count: slots.count, line: 0, start: 0, savedMax: 0))
        thread.pointee.depth += 1
        if thread.pointee.collector.pointee.memoryMode { memoryEnter(slots.slots, code: code) }
    }

    @inline(never)
    static func grow(_ thread: UnsafeMutablePointer<ThreadFrames>) {
        thread.pointee.records = moved(thread.pointee.records, count: thread.pointee.depth, capacity: &thread.pointee.capacity)
    }

    /// A buffer of twice the capacity holding the first `count` elements of
    /// `buffer`, which is freed. Runs only when a table fills up.
    static func moved<T>(_ buffer: UnsafeMutablePointer<T>, count: Int, capacity: inout Int) -> UnsafeMutablePointer<T> {
        capacity *= 2
        let grown = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        grown.moveInitialize(from: buffer, count: count)
        buffer.deallocate()
        return grown
    }

    /// A new line begins in the frame `owner`: the line before it is charged.
    /// Returns false when `owner` is not the running timed frame of this thread.
    @inline(__always) @discardableResult
    static func line(owner: UnsafeMutableRawPointer, line: Int32) -> Bool {
        let thread = currentThread()
        let depth = thread.pointee.depth
        guard depth > 0 else { return false }
        let record = thread.pointee.records + (depth - 1)
        guard record.pointee.owner == owner else { return false }
        if thread.pointee.collector.pointee.memoryMode {
            memoryLine(record, line: line)
            return true
        }
        let now = pyro_ticks()
        charge(record, now: now)
        record.pointee.line = line
        record.pointee.start = now
        return true
    }

    /// The frame `owner` returns, yields or unwinds: its last line is charged and its
    /// record popped, so time while a generator is suspended is charged to no line.
    @inline(__always)
    static func leave(owner: UnsafeMutableRawPointer) {
        let thread = currentThread()
        let depth = thread.pointee.depth
        guard depth > 0 else { return }
        let record = thread.pointee.records + (depth - 1)
        guard record.pointee.owner == owner else { return }
        if thread.pointee.collector.pointee.memoryMode {
            endMemoryLine(record, MemoryCollector.state)
            MemoryCollector.recordCall(code: record.pointee.code, entering: false)
        } else {
            charge(record, now: pyro_ticks())
        }
        thread.pointee.depth = depth - 1
    }

    // MARK: Memory mode: the "clock" is the traced-bytes counter

    /// A call: the function's first line (its def) counts the call and the RSS.
    static func memoryEnter(_ slots: UnsafeMutablePointer<LineSlot>, code: Int32) {
        MemoryCollector.recordCall(code: code, entering: true)
        slots.pointee.hits &+= 1
        slots.pointee.resident = max(slots.pointee.resident, MemoryCollector.residentBytes())
    }

    static func memoryLine(_ record: UnsafeMutablePointer<FrameRecord>, line: Int32) {
        let memory = MemoryCollector.state
        endMemoryLine(record, memory)
        record.pointee.line = line
        record.pointee.start = UInt64(bitPattern: memory.pointee.current)
        // The running maximum restarts for this line; the enclosing one is kept.
        record.pointee.savedMax = memory.pointee.lineMax
        memory.pointee.lineMax = memory.pointee.current
    }

    static func endMemoryLine(_ record: UnsafeMutablePointer<FrameRecord>, _ memory: UnsafeMutablePointer<MemoryState>) {
        let offset = record.pointee.line &- record.pointee.firstLine
        if offset >= 0, offset < record.pointee.count {
            let slot = record.pointee.slots + Int(offset)
            let start = Int64(bitPattern: record.pointee.start)
            slot.pointee.hits &+= 1
            slot.pointee.ticks &+= UInt64(bitPattern: memory.pointee.current &- start)
            let held = UInt64(max(0, memory.pointee.lineMax &- start))
            if held > slot.pointee.peak { slot.pointee.peak = held }
            slot.pointee.resident = max(slot.pointee.resident, MemoryCollector.residentBytes())
        }
        memory.pointee.lineMax = max(record.pointee.savedMax, memory.pointee.lineMax)
    }

    @inline(__always)
    static func charge(_ record: UnsafeMutablePointer<FrameRecord>, now: UInt64) {
        let offset = record.pointee.line &- record.pointee.firstLine
        // Also false for line 0 (no line yet): offset is then negative.
        guard offset >= 0, offset < record.pointee.count else { return }
        let slot = record.pointee.slots + Int(offset)
        slot.pointee.hits &+= 1
        slot.pointee.ticks &+= now &- record.pointee.start
    }
}

/// Creates both collectors' state blocks once and publishes them to the hot path.
enum CollectorStates {
    nonisolated(unsafe) static let created: (lines: UnsafeMutablePointer<CollectorState>, memory: UnsafeMutablePointer<MemoryState>) = {
        let both = (LineCollector.storage, MemoryCollector.storage)
        pyro_set_collector_states(both.0, both.1)
        return both
    }()
}
