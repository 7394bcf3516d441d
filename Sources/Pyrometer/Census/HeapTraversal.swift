import CPython

/// How the census reaches every object: the objects the garbage collector
/// tracks, then — through each one's `tp_traverse` — the untracked objects they
/// hold (atomic dicts and tuples, str, int, float, bytes...), and what the live
/// frames of every thread hold.
enum HeapTraversal {
    /// `gc.get_objects()`: every tracked object, as a new list. The list does not
    /// contain itself.
    static func trackedObjects() throws -> PyRef {
        try PyRef.importModule("gc").attribute("get_objects").call()
    }

    /// Runs a full collection first, as objgraph's growth functions do, so garbage
    /// waiting in cycles is not taken for live objects.
    static func collectGarbage() {
        _ = PyGC_Collect()
    }

    /// Whether the census looks inside `object`: one the collector handles, with a
    /// `tp_traverse`.
    @inline(__always)
    static func canHold(_ object: PyPointer) -> Bool {
        pyro_can_traverse(object) != 0
    }

    /// Whether `object` may hold references the census must follow.
    @inline(__always)
    static func mayHold(_ object: PyPointer) -> Bool {
        canHold(object) || pyro_is_code(object) != 0 || pyro_is_type(object) != 0
    }

    /// Calls `visit` for every reference `object` holds: its `tp_traverse`, plus
    /// what `tp_traverse` leaves out (a dict's str keys, a code object's fields).
    /// `shallow` gets references whose own references `visit` has already seen
    /// (on 3.13, an instance's `__dict__` sharing the instance's values).
    @inline(__always)
    static func references(of object: PyPointer, _ visit: visitproc, shallow: visitproc? = nil,
                           _ context: UnsafeMutableRawPointer) {
        if pyro_visit_plain_dict(object, visit, context) != 0 { return }
        if canHold(object) {
            _ = pyro_traverse(object, visit, context)
        }
        _ = pyro_visit_hidden(object, visit, shallow ?? visit, context)
    }

    /// Calls `visit` for what the live frames of every thread hold.
    static func frameReferences(_ visit: visitproc, _ context: UnsafeMutableRawPointer) {
        _ = pyro_visit_thread_frames(visit, context)
    }
}
