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

/// The shadow stack of timed frames of one OS thread (found through a TLS slot),
/// freed when its thread ends.
struct ThreadFrames {
    var records: UnsafeMutablePointer<FrameRecord>
    var depth: Int
    var capacity: Int
    var collector: UnsafeMutablePointer<CollectorState>
    /// The session start these records belong to; records of an earlier one are dropped.
    var generation: UInt32
    /// Memory mode: bytes this thread allocated minus bytes it freed, and their
    /// running maximum since its innermost line began. A line's Increment and Peak
    /// come from its own thread's allocations only.
    var traced: Int64
    var lineMax: Int64
    /// 3.11: the trace function this thread had before pyrometer's, still called.
    var chainedTrace: Py_tracefunc?
    var chainedTraceObject: PyPointer?
}

/// One session's counters: shared by all threads, the GIL serialises every access.
/// The hot path finds the running session's block through a C global.
struct CollectorState {
    var codes: UnsafeMutablePointer<TimedCodeSlots>
    var codeCount: Int
    var codeCapacity: Int
    /// The co_extra slot holding each code object's mark (see `TimedCodes`).
    var extraIndex: Py_ssize_t
    /// Lines are measured in traced bytes (pyrometer memory) instead of ticks.
    var memoryMode: Bool
    /// The current start of the session owning this block (0: no session).
    var generation: UInt32
    /// Classifies code objects never seen in this generation.
    var classifier: Unmanaged<TimedCodes>?
}

/// The native line collector: counts hits and ticks per line of timed code, with a
/// shadow stack per thread so recursion, generators and threads are charged to the
/// right frame. Hooks (the 3.11 trace function, the 3.12+ monitoring callbacks)
/// translate interpreter events into `enter`, `line` and `leave`.
///
/// An event costs a TLS load, a few loads and stores and one tick read: no
/// allocation, no reference counting, no exclusivity bookkeeping.
enum LineCollector {
    /// The running session's block (an idle one when no session runs).
    @inline(__always)
    static var state: UnsafeMutablePointer<CollectorState> {
        if let state = pyro_line_state() { return state.assumingMemoryBound(to: CollectorState.self) }
        return CollectorStates.created.lines
    }

    /// The block the hot path sees while no session runs: it times nothing.
    nonisolated(unsafe) static let idle: UnsafeMutablePointer<CollectorState> = makeState(extraIndex: -1, memoryMode: false)

    /// A new, empty block for one session.
    static func makeState(extraIndex: Py_ssize_t, memoryMode: Bool) -> UnsafeMutablePointer<CollectorState> {
        let state = UnsafeMutablePointer<CollectorState>.allocate(capacity: 1)
        state.initialize(to: CollectorState(
            codes: .allocate(capacity: 64), codeCount: 0, codeCapacity: 64,
            extraIndex: extraIndex, memoryMode: memoryMode,
            generation: 0, classifier: nil))
        return state
    }

    /// Frees a block that no session uses any more.
    static func release(_ block: UnsafeMutablePointer<CollectorState>) {
        for index in 0..<block.pointee.codeCount { block.pointee.codes[index].slots.deallocate() }
        block.pointee.codes.deallocate()
        block.deallocate()
    }

    /// Makes `block` the one the hooks count into, under a new generation: every
    /// thread's stack of an earlier start is dropped at its next event.
    static func activate(_ block: UnsafeMutablePointer<CollectorState>, generation: UInt32) {
        _ = CollectorStates.created
        block.pointee.generation = generation
        pyro_set_line_state(block)
    }

    /// No session counts lines any more.
    static func deactivate() {
        _ = CollectorStates.created
        pyro_set_line_state(idle)
    }

    // MARK: Setup (not on the hot path)

    /// Reserves counters for lines `firstLine...lastLine` of a new timed code object.
    static func addCode(firstLine: Int32, lastLine: Int32, in s: UnsafeMutablePointer<CollectorState> = state) -> Int32 {
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
    static func counters(ofCode index: Int32, in block: UnsafeMutablePointer<CollectorState> = state) -> [(line: Int, hits: UInt64, ticks: UInt64)] {
        slots(ofCode: index, in: block).map { ($0.line, $0.slot.hits, $0.slot.ticks) }
    }

    static func slots(ofCode index: Int32, in block: UnsafeMutablePointer<CollectorState> = state) -> [(line: Int, slot: LineSlot)] {
        let code = block.pointee.codes[Int(index)]
        return (0..<Int(code.count)).compactMap { offset in
            let slot = code.slots[offset]
            return slot.hits > 0 || slot.ticks > 0 ? (Int(code.firstLine) + offset, slot) : nil
        }
    }

    /// Zeroes every counter of a block (its codes stay timed).
    static func zeroCounts(_ block: UnsafeMutablePointer<CollectorState>) {
        for index in 0..<block.pointee.codeCount {
            let code = block.pointee.codes[index]
            code.slots.update(repeating: LineSlot(), count: Int(code.count))
        }
    }

    /// For tests: forgets all codes and counts of the running block; every
    /// thread's stack is dropped.
    static func reset() {
        let s = state
        for index in 0..<s.pointee.codeCount { s.pointee.codes[index].slots.deallocate() }
        s.pointee.codeCount = 0
        s.pointee.generation = SessionGeneration.next()
    }

    // MARK: Hot path

    /// The timed index of a code object, or nil when it is not timed. A mark of
    /// another generation (or none) means the code is classified now.
    @inline(__always)
    static func timedIndex(_ code: UnsafeMutableRawPointer) -> Int32? {
        let s = state
        let object = code.assumingMemoryBound(to: PyObject.self)
        let mark = UInt(bitPattern: pyro_code_get_extra(object, s.pointee.extraIndex))
        if UInt32(truncatingIfNeeded: mark >> 32) == s.pointee.generation {
            let kind = UInt32(truncatingIfNeeded: mark)
            if kind >= 2 { return Int32(bitPattern: kind - 2) }
            if kind == 1 { return nil }
        }
        return s.pointee.classifier?.takeUnretainedValue().classify(object)
    }

    /// This thread's records for the running session.
    @inline(__always)
    static func currentThread() -> UnsafeMutablePointer<ThreadFrames> {
        if let slot = pyro_thread_slot() {
            let thread = slot.assumingMemoryBound(to: ThreadFrames.self)
            if thread.pointee.generation == state.pointee.generation { return thread }
            return rejoin(thread)
        }
        return newThread()
    }

    /// Records left by an earlier session start: its frames are forgotten.
    @inline(never)
    static func rejoin(_ thread: UnsafeMutablePointer<ThreadFrames>) -> UnsafeMutablePointer<ThreadFrames> {
        let s = state
        thread.pointee.depth = 0
        thread.pointee.collector = s
        thread.pointee.generation = s.pointee.generation
        thread.pointee.lineMax = thread.pointee.traced
        return thread
    }

    @inline(never)
    static func newThread() -> UnsafeMutablePointer<ThreadFrames> {
        let s = state
        let thread = UnsafeMutablePointer<ThreadFrames>.allocate(capacity: 1)
        thread.initialize(to: ThreadFrames(records: .allocate(capacity: 256), depth: 0, capacity: 256, collector: s,
                                           generation: s.pointee.generation, traced: 0, lineMax: 0,
                                           chainedTrace: nil, chainedTraceObject: nil))
        pyro_set_thread_slot(thread, LineCollector.releaseThread)
        return thread
    }

    /// Frees a thread's records when the thread ends (a TLS destructor: no GIL,
    /// no Python, nothing shared is touched).
    static let releaseThread: @convention(c) (UnsafeMutableRawPointer?) -> Void = { slot in
        guard let thread = slot?.assumingMemoryBound(to: ThreadFrames.self) else { return }
        thread.pointee.records.deallocate()
        thread.deallocate()
    }

    /// A timed frame starts or resumes.
    @inline(__always)
    static func enter(owner: UnsafeMutableRawPointer, code: Int32, thread: UnsafeMutablePointer<ThreadFrames> = currentThread()) {
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
    static func line(owner: UnsafeMutableRawPointer, line: Int32, thread: UnsafeMutablePointer<ThreadFrames> = currentThread()) -> Bool {
        let depth = thread.pointee.depth
        guard depth > 0 else { return false }
        let record = thread.pointee.records + (depth - 1)
        guard record.pointee.owner == owner else { return false }
        if thread.pointee.collector.pointee.memoryMode {
            memoryLine(record, thread, line: line)
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
    static func leave(owner: UnsafeMutableRawPointer, thread: UnsafeMutablePointer<ThreadFrames> = currentThread()) {
        let depth = thread.pointee.depth
        guard depth > 0 else { return }
        let record = thread.pointee.records + (depth - 1)
        guard record.pointee.owner == owner else { return }
        if thread.pointee.collector.pointee.memoryMode {
            endMemoryLine(record, thread)
            MemoryCollector.recordCall(code: record.pointee.code, entering: false)
        } else {
            charge(record, now: pyro_ticks())
        }
        thread.pointee.depth = depth - 1
    }

    /// The running timed line of this thread starts its time again (after a
    /// chained tracer ran, so that its time is charged to no line).
    @inline(__always)
    static func restartLineClock(_ thread: UnsafeMutablePointer<ThreadFrames>) {
        guard thread.pointee.depth > 0, !thread.pointee.collector.pointee.memoryMode else { return }
        thread.pointee.records[thread.pointee.depth - 1].start = pyro_ticks()
    }

    // MARK: Memory mode: the "clock" is the traced-bytes counter

    /// A call: the function's first line (its def) counts the call and the RSS.
    static func memoryEnter(_ slots: UnsafeMutablePointer<LineSlot>, code: Int32) {
        MemoryCollector.recordCall(code: code, entering: true)
        slots.pointee.hits &+= 1
        slots.pointee.resident = max(slots.pointee.resident, MemoryCollector.residentBytes())
    }

    static func memoryLine(_ record: UnsafeMutablePointer<FrameRecord>, _ thread: UnsafeMutablePointer<ThreadFrames>, line: Int32) {
        endMemoryLine(record, thread)
        record.pointee.line = line
        record.pointee.start = UInt64(bitPattern: thread.pointee.traced)
        // The running maximum restarts for this line; the enclosing one is kept.
        record.pointee.savedMax = thread.pointee.lineMax
        thread.pointee.lineMax = thread.pointee.traced
    }

    /// Charges the line ending in `record` with what its thread allocated meanwhile.
    static func endMemoryLine(_ record: UnsafeMutablePointer<FrameRecord>, _ thread: UnsafeMutablePointer<ThreadFrames>) {
        let offset = record.pointee.line &- record.pointee.firstLine
        if offset >= 0, offset < record.pointee.count {
            let slot = record.pointee.slots + Int(offset)
            let start = Int64(bitPattern: record.pointee.start)
            slot.pointee.hits &+= 1
            slot.pointee.ticks &+= UInt64(bitPattern: thread.pointee.traced &- start)
            let held = UInt64(max(0, thread.pointee.lineMax &- start))
            if held > slot.pointee.peak { slot.pointee.peak = held }
            slot.pointee.resident = max(slot.pointee.resident, MemoryCollector.residentBytes())
        }
        thread.pointee.lineMax = max(record.pointee.savedMax, thread.pointee.lineMax)
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

/// Publishes the collectors' idle state blocks to the hot path once.
enum CollectorStates {
    nonisolated(unsafe) static let created: (lines: UnsafeMutablePointer<CollectorState>, memory: UnsafeMutablePointer<MemoryState>) = {
        let both = (LineCollector.idle, MemoryCollector.storage)
        pyro_set_collector_states(both.0, both.1)
        return both
    }()
}
