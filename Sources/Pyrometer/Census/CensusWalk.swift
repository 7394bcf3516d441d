import CPython

/// One walk over the whole heap, counting every live object once by type, and
/// optionally listing them.
///
/// Tracked objects come from the garbage collector's lists; an untracked object
/// is counted when a reference to it is met. An untracked object whose reference
/// count is 1 can be met only once, so only shared ones go into the `seen` set:
/// on a heap of a million `{'a': i}` dicts neither the dicts nor the ints do.
struct CensusWalk {
    var tally: TypeTally
    var seen = AddressSet()
    var pending = ObjectStack()
    var objects: ObjectStack?
    /// The tracked objects listed, each with a reference the walk holds.
    var held = ObjectStack(capacity: 16)
    /// How deep the walk is inside untracked containers it looks into at once
    /// (while they are still in the cache); deeper ones wait in `pending`.
    var depth = 0
    /// The last shared (reference count above 1) object met.
    var lastShared: PyPointer?
    /// Records in lists (private dicts with private int values), counted in bulk
    /// by C: the census's commonest objects, without a call each. Nil when every
    /// object must be listed.
    var bulk: UnsafeMutablePointer<pyro_bulk_tally>?
    static let maximumDepth = 48

    struct Options {
        var trackedOnly = false
        var measureSizes = true
        var listObjects = false
        var collectFirst = false
    }

    private init(_ options: Options) {
        tally = TypeTally(measureSizes: options.measureSizes)
        objects = options.listObjects ? ObjectStack(capacity: 1 << 16) : nil
        if !options.listObjects {
            bulk = .allocate(capacity: 1)
            bulk!.initialize(to: pyro_bulk_tally())
        }
    }

    private func release() {
        tally.release()
        seen.release()
        pending.release()
        objects?.release()
        held.release()
        bulk?.deallocate()
    }

    /// Walks the heap and hands the tally (and the objects met, valid until
    /// Python runs again) to `body`.
    ///
    /// The tracked objects are read from the collector's lists in place, each
    /// one looked inside as soon as it is counted (while it is in the cache).
    /// Meanwhile the collector is disabled and no Python code runs: sizes only
    /// `sys.getsizeof` gives are taken after the walk.
    static func run<T>(_ options: Options, _ body: (TypeTally, ObjectStack?) throws -> T) throws -> T {
        if options.collectFirst { HeapTraversal.collectGarbage() }
        let walk = UnsafeMutablePointer<CensusWalk>.allocate(capacity: 1)
        walk.initialize(to: CensusWalk(options))
        defer {
            walk.pointee.release()
            walk.deinitialize(count: 1)
            walk.deallocate()
        }
        let context = UnsafeMutableRawPointer(walk)
        let collectorWasOn = PyGC_Disable()
        _ = pyro_visit_gc_objects(options.trackedOnly ? CensusWalk.countTracked : CensusWalk.walkTracked, context)
        if !options.trackedOnly {
            HeapTraversal.frameReferences(CensusWalk.visit, context)
            walk.pointee.drain(context)
        }
        if collectorWasOn != 0 { PyGC_Enable() }
        walk.pointee.tally.sizeDeferred()
        walk.pointee.addBulk()
        defer { walk.pointee.letGoOfHeld() }
        return try body(walk.pointee.tally, walk.pointee.objects)
    }

    /// Counts a tracked object at its turn in the collector's lists. An
    /// immortal one (3.12+) may have been met through a reference before, and
    /// counted as untracked then.
    @inline(__always)
    private mutating func foundTracked(_ object: PyPointer) {
        if pyro_is_immortal(object) != 0, !seen.insert(object) {
            tally.markTracked(object)
            return
        }
        found(object, tracked: true)
        if objects != nil {
            // Listed objects must outlive Python code the body may run.
            Py_IncRef(object)
            held.push(object)
        }
    }

    private func letGoOfHeld() {
        for position in 0..<held.count { Py_DecRef(held[position]) }
    }

    private static let countTracked: visitproc = { object, context in
        guard let object, let context else { return 0 }
        context.assumingMemoryBound(to: CensusWalk.self).pointee.foundTracked(object)
        return 0
    }

    private static let walkTracked: visitproc = { object, context in
        guard let object, let context else { return 0 }
        let walk = context.assumingMemoryBound(to: CensusWalk.self)
        walk.pointee.foundTracked(object)
        walk.pointee.expand(object, context)
        walk.pointee.drain(context)
        return 0
    }

    @inline(__always)
    private mutating func found(_ object: PyPointer, tracked: Bool) {
        tally.add(object, tracked: tracked)
        objects?.push(object)
    }

    /// Looks inside the untracked containers met so far.
    @inline(__always)
    private mutating func drain(_ context: UnsafeMutableRawPointer) {
        while let object = pending.pop() {
            expand(object, context)
        }
    }

    /// Looks inside `object`: lists and tuples through the bulk counter when it
    /// is on, anything else through its references.
    @inline(__always)
    private mutating func expand(_ object: PyPointer, _ context: UnsafeMutableRawPointer) {
        if let bulk, pyro_visit_items_counting(object, bulk, CensusWalk.visit, context) != 0 { return }
        HeapTraversal.references(of: object, CensusWalk.visit, shallow: CensusWalk.count, context)
    }

    /// Adds what the bulk counter counted to the tally.
    private mutating func addBulk() {
        guard let bulk else { return }
        if let sample = bulk.pointee.dict_sample {
            tally.add(bulk.pointee.dicts, bytes: bulk.pointee.dict_bytes, like: sample)
        }
        if let sample = bulk.pointee.int_sample {
            tally.add(bulk.pointee.ints, bytes: bulk.pointee.int_bytes, like: sample)
        }
    }

    /// Counts `object` if it is untracked and met for the first time; says so.
    @inline(__always)
    private mutating func countFirstMeeting(_ object: PyPointer) -> Bool {
        // The same shared object often comes many times in a row (a key every
        // dict of a list has, None): skip it without the set.
        if object == lastShared || (pyro_is_tracked(object) != 0 && pyro_is_immortal(object) == 0) { return false }
        if pyro_refcnt(object) != 1 {
            lastShared = object
            if !seen.insert(object) { return false }
        }
        found(object, tracked: false)
        return true
    }

    /// Counts an untracked object met for the first time without looking inside.
    private static let count: visitproc = { object, context in
        guard let object, let context else { return 0 }
        _ = context.assumingMemoryBound(to: CensusWalk.self).pointee.countFirstMeeting(object)
        return 0
    }

    private static let visit: visitproc = { object, context in
        guard let object, let context else { return 0 }
        let walk = context.assumingMemoryBound(to: CensusWalk.self)
        guard walk.pointee.countFirstMeeting(object) else { return 0 }
        if HeapTraversal.mayHold(object) {
            if walk.pointee.depth < CensusWalk.maximumDepth {
                walk.pointee.depth += 1
                walk.pointee.expand(object, context)
                walk.pointee.depth -= 1
            } else {
                walk.pointee.pending.push(object)
            }
        }
        return 0
    }
}
