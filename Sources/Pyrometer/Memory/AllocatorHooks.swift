import CPython

/// Wraps CPython's allocators (PyMem_SetAllocator) for the raw, mem and object
/// domains, and numpy's data allocator (NEP 49), so every allocation and free is
/// seen by `MemoryCollector`. Each wrapper calls the allocator it replaced.
///
/// The mem and object domains are called holding the GIL, always: their wrappers
/// record at once, with no lock. The raw domain and numpy's allocator may be
/// called by a thread without the GIL; their wrappers ask first, and a thread
/// without it only queues its event (see `MemoryCollector.deferEvent`).
enum AllocatorHooks {
    /// The replaced allocators; a wrapper's ctx points at its domain's original.
    nonisolated(unsafe) static let originals: UnsafeMutablePointer<PyMemAllocatorEx> = .allocate(capacity: 3)
    nonisolated(unsafe) static var installed = false
    static let domains: [PyMemAllocatorDomain] = [PYMEM_DOMAIN_RAW, PYMEM_DOMAIN_MEM, PYMEM_DOMAIN_OBJ]

    static func install() {
        guard !installed else { return }
        pyro_guard_lock_across_fork(&MemoryCollector.state.pointee.deferredLock)
        for (index, domain) in domains.enumerated() {
            PyMem_GetAllocator(domain, originals + index)
            let context = UnsafeMutableRawPointer(originals + index)
            var wrapper = domain == PYMEM_DOMAIN_RAW
                ? PyMemAllocatorEx(ctx: context, malloc: rawMalloc, calloc: rawCalloc, realloc: rawRealloc, free: rawFree)
                : PyMemAllocatorEx(ctx: context, malloc: malloc, calloc: calloc, realloc: realloc, free: free)
            PyMem_SetAllocator(domain, &wrapper)
        }
        installed = true
    }

    static func uninstall() {
        guard installed else { return }
        for (index, domain) in domains.enumerated() { PyMem_SetAllocator(domain, originals + index) }
        installed = false
    }

    @inline(__always)
    static func original(_ context: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<PyMemAllocatorEx> {
        context!.assumingMemoryBound(to: PyMemAllocatorEx.self)
    }

    // Each wrapper marks the thread while the wrapped allocator runs: an allocation
    // that reaches another hooked domain from inside it (pymalloc handing a large
    // block to the raw domain, numpy's allocator using it) is the same block, and
    // only the outermost wrapper records it.

    /// Runs `call` marked as inside an allocator; says whether it was the outermost.
    @inline(__always)
    static func guarded<T>(_ call: () -> T) -> (result: T, outermost: Bool) {
        let outermost = pyro_in_allocator() == 0
        pyro_set_in_allocator(1)
        let result = call()
        if outermost { pyro_set_in_allocator(0) }
        return (result, outermost)
    }

    /// Records one allocation: at once when the caller holds the GIL, else queued.
    @inline(__always)
    static func record(_ block: UnsafeMutableRawPointer, size: Int, holdsGIL: Bool) {
        if holdsGIL { MemoryCollector.recordAllocation(block, size: size) } else { MemoryCollector.deferEvent(block, size: size) }
    }

    @inline(__always)
    static func recordFree(_ block: UnsafeMutableRawPointer, holdsGIL: Bool) {
        if holdsGIL { MemoryCollector.recordFree(block) } else { MemoryCollector.deferEvent(block, size: -1) }
    }

    @inline(__always)
    static func allocated(_ call: () -> UnsafeMutableRawPointer?, size: Int, holdsGIL: Bool = true) -> UnsafeMutableRawPointer? {
        let (block, outermost) = guarded(call)
        if outermost, let block { record(block, size: size, holdsGIL: holdsGIL || pyro_thread_holds_gil() != 0) }
        return block
    }

    @inline(__always)
    static func reallocated(_ old: UnsafeMutableRawPointer?, _ call: () -> UnsafeMutableRawPointer?, size: Int,
                            holdsGIL: Bool = true) -> UnsafeMutableRawPointer? {
        let (moved, outermost) = guarded(call)
        if outermost, let moved {
            let gil = holdsGIL || pyro_thread_holds_gil() != 0
            if let old { recordFree(old, holdsGIL: gil) }
            record(moved, size: size, holdsGIL: gil)
        }
        return moved
    }

    /// The block leaves the table before it is freed, so no other thread can be
    /// handed the same address while it is still recorded.
    @inline(__always)
    static func freed(_ block: UnsafeMutableRawPointer?, holdsGIL: Bool = true, _ call: () -> Void) {
        if let block, pyro_in_allocator() == 0 { recordFree(block, holdsGIL: holdsGIL || pyro_thread_holds_gil() != 0) }
        _ = guarded(call)
    }

    // The mem and object domains: the GIL is held.

    static let malloc: @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = { context, size in
        let inner = original(context)
        return allocated({ inner.pointee.malloc(inner.pointee.ctx, size) }, size: size)
    }

    static let calloc: @convention(c) (UnsafeMutableRawPointer?, Int, Int) -> UnsafeMutableRawPointer? = { context, count, size in
        let inner = original(context)
        return allocated({ inner.pointee.calloc(inner.pointee.ctx, count, size) }, size: count &* size)
    }

    static let realloc: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = { context, block, size in
        let inner = original(context)
        return reallocated(block, { inner.pointee.realloc(inner.pointee.ctx, block, size) }, size: size)
    }

    static let free: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { context, block in
        let inner = original(context)
        freed(block) { inner.pointee.free(inner.pointee.ctx, block) }
    }

    // The raw domain: any thread, with or without the GIL.

    static let rawMalloc: @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = { context, size in
        let inner = original(context)
        return allocated({ inner.pointee.malloc(inner.pointee.ctx, size) }, size: size, holdsGIL: false)
    }

    static let rawCalloc: @convention(c) (UnsafeMutableRawPointer?, Int, Int) -> UnsafeMutableRawPointer? = { context, count, size in
        let inner = original(context)
        return allocated({ inner.pointee.calloc(inner.pointee.ctx, count, size) }, size: count &* size, holdsGIL: false)
    }

    static let rawRealloc: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = { context, block, size in
        let inner = original(context)
        return reallocated(block, { inner.pointee.realloc(inner.pointee.ctx, block, size) }, size: size, holdsGIL: false)
    }

    static let rawFree: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { context, block in
        let inner = original(context)
        freed(block, holdsGIL: false) { inner.pointee.free(inner.pointee.ctx, block) }
    }

    // MARK: numpy

    /// numpy's default data handler, patched in place so that arrays made in any
    /// thread or context are seen; nil until numpy is imported.
    nonisolated(unsafe) static var numpyHandler: UnsafeMutablePointer<pyro_numpy_handler>?
    nonisolated(unsafe) static let numpyOriginal: UnsafeMutablePointer<pyro_numpy_allocator> = .allocate(capacity: 1)

    /// Patches numpy's default allocator if numpy is loaded (idempotent). The handler
    /// comes from numpy's C API table (`PyDataMem_GetHandler`, slot 305 since 1.22).
    static func hookNumpyIfLoaded() {
        guard numpyHandler == nil, let modules = PySys_GetObject("modules") else { return }
        let names = ["numpy._core._multiarray_umath", "numpy.core._multiarray_umath"]
        guard let umath = names.lazy.compactMap({ PyRef(borrowed: modules).item(forKey: $0) }).first,
              umath.optionalAttribute("get_handler_version") != nil,
              let api = umath.optionalAttribute("_ARRAY_API"),
              let table = PyCapsule_GetPointer(api.pointer, PyCapsule_GetName(api.pointer)) else { PyErr_Clear(); return }
        let functions = table.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        guard let slot = functions[305] else { return }
        let getHandler = unsafeBitCast(slot, to: (@convention(c) () -> PyPointer?).self)
        guard let capsule = try? PyRef(owned: getHandler()),
              let raw = PyCapsule_GetPointer(capsule.pointer, "mem_handler") else { PyErr_Clear(); return }
        let handler = raw.assumingMemoryBound(to: pyro_numpy_handler.self)
        guard handler.pointee.version == 1 else { return }
        numpyOriginal.pointee = handler.pointee.allocator
        handler.pointee.allocator.malloc = numpyMalloc
        handler.pointee.allocator.calloc = numpyCalloc
        handler.pointee.allocator.realloc = numpyRealloc
        handler.pointee.allocator.free = numpyFree
        numpyHandler = handler
    }

    static func unhookNumpy() {
        guard let handler = numpyHandler else { return }
        handler.pointee.allocator = numpyOriginal.pointee
        numpyHandler = nil
    }

    static let numpyMalloc: @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = { context, size in
        allocated({ numpyOriginal.pointee.malloc(context, size) }, size: size, holdsGIL: false)
    }

    static let numpyCalloc: @convention(c) (UnsafeMutableRawPointer?, Int, Int) -> UnsafeMutableRawPointer? = { context, count, size in
        allocated({ numpyOriginal.pointee.calloc(context, count, size) }, size: count &* size, holdsGIL: false)
    }

    static let numpyRealloc: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = { context, block, size in
        reallocated(block, { numpyOriginal.pointee.realloc(context, block, size) }, size: size, holdsGIL: false)
    }

    static let numpyFree: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int) -> Void = { context, block, size in
        freed(block, holdsGIL: false) { numpyOriginal.pointee.free(context, block, size) }
    }
}
