import CPython

/// Per-line counters, one per source line of each timed code object.
struct LineSlot {
    var hits: UInt64 = 0
    var ticks: UInt64 = 0
}

/// Where a timed code object's lines live in the slot table.
struct TimedCodeSlots {
    var base: Int          // slot index of line `firstLine`
    var firstLine: Int32
    var lastLine: Int32
}

/// One running (not suspended) frame of timed code, on its thread's shadow stack.
struct FrameRecord {
    var owner: UnsafeMutableRawPointer?   // the frame (trace hook) or code object (monitoring)
    var code: Int32                       // index into the timed-code table
    var line: Int32                       // line being timed; 0 before the first line event
    var start: UInt64                     // ticks when `line` began
}

/// The shadow stack of timed frames of one Python thread.
struct ThreadFrames {
    var key: UnsafeMutableRawPointer?
    var records: UnsafeMutablePointer<FrameRecord>
    var depth: Int
    var capacity: Int
}

/// Everything the hot path touches, in one block of manually managed memory so
/// that an event costs a few loads and stores: no allocation, no reference
/// counting, no exclusivity bookkeeping. The GIL serialises all access.
struct CollectorState {
    var slots: UnsafeMutablePointer<LineSlot>
    var slotCount: Int
    var slotCapacity: Int
    var codes: UnsafeMutablePointer<TimedCodeSlots>
    var codeCount: Int
    var codeCapacity: Int
    var threads: UnsafeMutablePointer<UnsafeMutablePointer<ThreadFrames>>
    var threadCount: Int
    var threadCapacity: Int
    var lastThreadKey: UnsafeMutableRawPointer?
    var lastThread: UnsafeMutablePointer<ThreadFrames>?
    var active: Bool
    /// The co_extra slot holding each code object's mark (see `TimedCodes`).
    var extraIndex: Py_ssize_t
    /// Field offsets of 3.11 frame objects (zero elsewhere).
    var frameLayout: pyro_frame_layout
}

/// The native line collector: counts hits and ticks per line of timed code, with a
/// shadow stack per thread so recursion, generators and threads are charged to the
/// right frame. Hooks (the 3.11 trace function, the 3.12+ monitoring callbacks)
/// translate interpreter events into the four calls below.
enum LineCollector {
    nonisolated(unsafe) static let state: UnsafeMutablePointer<CollectorState> = {
        let state = UnsafeMutablePointer<CollectorState>.allocate(capacity: 1)
        state.initialize(to: CollectorState(
            slots: .allocate(capacity: 1024), slotCount: 0, slotCapacity: 1024,
            codes: .allocate(capacity: 64), codeCount: 0, codeCapacity: 64,
            threads: .allocate(capacity: 8), threadCount: 0, threadCapacity: 8,
            lastThreadKey: nil, lastThread: nil, active: false,
            extraIndex: -1, frameLayout: pyro_legacy_frame_layout()))
        return state
    }()

    // MARK: Setup (not on the hot path)

    /// Reserves slots for lines `firstLine...lastLine` of a new timed code object.
    static func addCode(firstLine: Int32, lastLine: Int32) -> Int32 {
        let s = state
        let count = Int(lastLine - firstLine) + 1
        if s.pointee.slotCount + count > s.pointee.slotCapacity {
            let capacity = max(s.pointee.slotCapacity * 2, s.pointee.slotCount + count)
            let grown = UnsafeMutablePointer<LineSlot>.allocate(capacity: capacity)
            grown.moveInitialize(from: s.pointee.slots, count: s.pointee.slotCount)
            s.pointee.slots.deallocate()
            s.pointee.slots = grown
            s.pointee.slotCapacity = capacity
        }
        (s.pointee.slots + s.pointee.slotCount).initialize(repeating: LineSlot(), count: count)
        if s.pointee.codeCount == s.pointee.codeCapacity {
            let capacity = s.pointee.codeCapacity * 2
            let grown = UnsafeMutablePointer<TimedCodeSlots>.allocate(capacity: capacity)
            grown.moveInitialize(from: s.pointee.codes, count: s.pointee.codeCount)
            s.pointee.codes.deallocate()
            s.pointee.codes = grown
            s.pointee.codeCapacity = capacity
        }
        let index = s.pointee.codeCount
        s.pointee.codes[index] = TimedCodeSlots(base: s.pointee.slotCount, firstLine: firstLine, lastLine: lastLine)
        s.pointee.codeCount += 1
        s.pointee.slotCount += count
        return Int32(index)
    }

    /// The counters of one timed code object, line by line.
    static func counters(ofCode index: Int32) -> [(line: Int, hits: UInt64, ticks: UInt64)] {
        let code = state.pointee.codes[Int(index)]
        var result: [(line: Int, hits: UInt64, ticks: UInt64)] = []
        for offset in 0...Int(code.lastLine - code.firstLine) {
            let slot = state.pointee.slots[code.base + offset]
            if slot.hits > 0 || slot.ticks > 0 {
                result.append((Int(code.firstLine) + offset, slot.hits, slot.ticks))
            }
        }
        return result
    }

    /// Forgets all codes, counts and threads (a new session starts from zero).
    static func reset() {
        let s = state
        s.pointee.slotCount = 0
        s.pointee.codeCount = 0
        for index in 0..<s.pointee.threadCount {
            s.pointee.threads[index].pointee.depth = 0
        }
        s.pointee.active = false
    }

    // MARK: Hot path

    /// Classifies code objects never seen before (3.11 finds them at their first call).
    nonisolated(unsafe) static var codes: TimedCodes?

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
        let s = state
        let key = pyro_thread_key()
        if key == s.pointee.lastThreadKey, let thread = s.pointee.lastThread { return thread }
        return switchThread(key)
    }

    @inline(never)
    static func switchThread(_ key: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<ThreadFrames> {
        let s = state
        var found: UnsafeMutablePointer<ThreadFrames>? = nil
        for index in 0..<s.pointee.threadCount where s.pointee.threads[index].pointee.key == key {
            found = s.pointee.threads[index]
        }
        if found == nil {
            let thread = UnsafeMutablePointer<ThreadFrames>.allocate(capacity: 1)
            thread.initialize(to: ThreadFrames(key: key, records: .allocate(capacity: 256), depth: 0, capacity: 256))
            if s.pointee.threadCount == s.pointee.threadCapacity {
                let capacity = s.pointee.threadCapacity * 2
                let grown = UnsafeMutablePointer<UnsafeMutablePointer<ThreadFrames>>.allocate(capacity: capacity)
                grown.moveInitialize(from: s.pointee.threads, count: s.pointee.threadCount)
                s.pointee.threads.deallocate()
                s.pointee.threads = grown
                s.pointee.threadCapacity = capacity
            }
            s.pointee.threads[s.pointee.threadCount] = thread
            s.pointee.threadCount += 1
            found = thread
        }
        s.pointee.lastThreadKey = key
        s.pointee.lastThread = found
        return found!
    }

    /// A timed frame starts or resumes.
    @inline(__always)
    static func enter(owner: UnsafeMutableRawPointer, code: Int32) {
        let thread = currentThread()
        if thread.pointee.depth == thread.pointee.capacity { grow(thread) }
        (thread.pointee.records + thread.pointee.depth).initialize(to: FrameRecord(owner: owner, code: code, line: 0, start: 0))
        thread.pointee.depth += 1
    }

    @inline(never)
    static func grow(_ thread: UnsafeMutablePointer<ThreadFrames>) {
        let capacity = thread.pointee.capacity * 2
        let grown = UnsafeMutablePointer<FrameRecord>.allocate(capacity: capacity)
        grown.moveInitialize(from: thread.pointee.records, count: thread.pointee.depth)
        thread.pointee.records.deallocate()
        thread.pointee.records = grown
        thread.pointee.capacity = capacity
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
        charge(record, now: pyro_ticks())
        thread.pointee.depth = depth - 1
    }

    @inline(__always)
    static func charge(_ record: UnsafeMutablePointer<FrameRecord>, now: UInt64) {
        let line = record.pointee.line
        guard line != 0 else { return }
        let code = state.pointee.codes[Int(record.pointee.code)]
        guard line >= code.firstLine, line <= code.lastLine else { return }
        let slot = state.pointee.slots + (code.base + Int(line - code.firstLine))
        slot.pointee.hits &+= 1
        slot.pointee.ticks &+= now &- record.pointee.start
    }
}
