import CPython

/// Wraps CPython's allocators (PyMem_SetAllocator) for the raw, mem and object
/// domains, and numpy's data allocator (NEP 49), so every allocation and free is
/// seen by `MemoryCollector`. Each wrapper calls the allocator it replaced.
enum AllocatorHooks {
    /// The replaced allocators; a wrapper's ctx points at its domain's original.
    nonisolated(unsafe) static let originals: UnsafeMutablePointer<PyMemAllocatorEx> = .allocate(capacity: 3)
    nonisolated(unsafe) static var installed = false
    static let domains: [PyMemAllocatorDomain] = [PYMEM_DOMAIN_RAW, PYMEM_DOMAIN_MEM, PYMEM_DOMAIN_OBJ]

    static func install() {
        guard !installed else { return }
        for (index, domain) in domains.enumerated() {
            PyMem_GetAllocator(domain, originals + index)
            var wrapper = PyMemAllocatorEx(ctx: UnsafeMutableRawPointer(originals + index),
                                           malloc: malloc, calloc: calloc, realloc: realloc, free: free)
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
    // that reaches another hooked domain from inside it is the same block.

    static let malloc: @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = { context, size in
        let inner = original(context)
        if pyro_in_allocator() != 0 { return inner.pointee.malloc(inner.pointee.ctx, size) }
        pyro_set_in_allocator(1)
        let block = inner.pointee.malloc(inner.pointee.ctx, size)
        pyro_set_in_allocator(0)
        if let block { MemoryCollector.recordAllocation(block, size: size) }
        return block
    }

    static let calloc: @convention(c) (UnsafeMutableRawPointer?, Int, Int) -> UnsafeMutableRawPointer? = { context, count, size in
        let inner = original(context)
        if pyro_in_allocator() != 0 { return inner.pointee.calloc(inner.pointee.ctx, count, size) }
        pyro_set_in_allocator(1)
        let block = inner.pointee.calloc(inner.pointee.ctx, count, size)
        pyro_set_in_allocator(0)
        if let block { MemoryCollector.recordAllocation(block, size: count &* size) }
        return block
    }

    static let realloc: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = { context, block, size in
        let inner = original(context)
        if pyro_in_allocator() != 0 { return inner.pointee.realloc(inner.pointee.ctx, block, size) }
        pyro_set_in_allocator(1)
        let moved = inner.pointee.realloc(inner.pointee.ctx, block, size)
        pyro_set_in_allocator(0)
        if let moved {
            if let block { MemoryCollector.recordFree(block) }
            MemoryCollector.recordAllocation(moved, size: size)
        }
        return moved
    }

    static let free: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { context, block in
        let inner = original(context)
        guard let block, pyro_in_allocator() == 0 else { inner.pointee.free(inner.pointee.ctx, block); return }
        MemoryCollector.recordFree(block)
        pyro_set_in_allocator(1)
        inner.pointee.free(inner.pointee.ctx, block)
        pyro_set_in_allocator(0)
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

    // numpy's allocator may itself use the raw domain: the same rule as above.

    static let numpyMalloc: @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = { context, size in
        let nested = pyro_in_allocator() != 0
        pyro_set_in_allocator(1)
        let block = numpyOriginal.pointee.malloc(context, size)
        pyro_set_in_allocator(nested ? 1 : 0)
        if let block, !nested { MemoryCollector.recordAllocation(block, size: size) }
        return block
    }

    static let numpyCalloc: @convention(c) (UnsafeMutableRawPointer?, Int, Int) -> UnsafeMutableRawPointer? = { context, count, size in
        let nested = pyro_in_allocator() != 0
        pyro_set_in_allocator(1)
        let block = numpyOriginal.pointee.calloc(context, count, size)
        pyro_set_in_allocator(nested ? 1 : 0)
        if let block, !nested { MemoryCollector.recordAllocation(block, size: count &* size) }
        return block
    }

    static let numpyRealloc: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = { context, block, size in
        let nested = pyro_in_allocator() != 0
        pyro_set_in_allocator(1)
        let moved = numpyOriginal.pointee.realloc(context, block, size)
        pyro_set_in_allocator(nested ? 1 : 0)
        if let moved, !nested {
            if let block { MemoryCollector.recordFree(block) }
            MemoryCollector.recordAllocation(moved, size: size)
        }
        return moved
    }

    static let numpyFree: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int) -> Void = { context, block, size in
        let nested = pyro_in_allocator() != 0
        if let block, !nested { MemoryCollector.recordFree(block) }
        pyro_set_in_allocator(1)
        numpyOriginal.pointee.free(context, block, size)
        pyro_set_in_allocator(nested ? 1 : 0)
    }
}
