import CPython

/// Finds the code objects behind things a user names: functions, methods,
/// classmethods, staticmethods, properties, partials, whole classes, and the
/// functions of loaded modules.
enum CodeDiscovery {
    /// Code objects reachable from `object` (a class contributes all its methods,
    /// nested classes included).
    static func codes(of object: PyRef) -> [PyRef] {
        var found: [PyRef] = []
        var seen: Set<PyPointer> = []
        collect(object, into: &found, seen: &seen, depth: 0)
        return found
    }

    /// Code objects of the functions and methods of every loaded module whose file
    /// satisfies `wanted` (and of `__main__`, whatever its file).
    static func codesOfLoadedModules(where wanted: (String) -> Bool) throws -> [PyRef] {
        guard let modulesDict = PySys_GetObject("modules") else { return [] }
        let modules = try PyRef(owned: PyDict_Values(modulesDict))
        var found: [PyRef] = []
        var seen: Set<PyPointer> = []
        for module in try modules.iterate() {
            let name = module.optionalAttribute("__name__")?.stringValue
            let file = module.optionalAttribute("__file__")?.stringValue.map(Paths.absolute)
            guard name == "__main__" || file.map(wanted) == true else { continue }
            guard let namespace = module.optionalAttribute("__dict__"), let values = try? namespace.callMethod("values") else { continue }
            for value in (try? values.list().iterate()) ?? [] {
                collect(value, into: &found, seen: &seen, depth: 0)
            }
        }
        return found
    }

    private static func collect(_ object: PyRef, into found: inout [PyRef], seen: inout Set<PyPointer>, depth: Int) {
        guard depth < 6, seen.insert(object.pointer).inserted else { return }
        if pyro_is_code(object.pointer) != 0 {
            found.append(object)
            return
        }
        if pyro_is_type(object.pointer) != 0 {
            guard let namespace = object.optionalAttribute("__dict__"),
                  let values = try? namespace.callMethod("values"),
                  let items = try? values.list().iterate() else { return }
            for item in items { collect(item, into: &found, seen: &seen, depth: depth + 1) }
            return
        }
        if let code = object.optionalAttribute("__code__"), pyro_is_code(code.pointer) != 0 {
            found.append(code)
            return
        }
        // classmethod, staticmethod, bound method; partial, cached_property; property;
        // a wrapper without code of its own (functools.lru_cache).
        for attribute in ["__func__", "func", "fget", "fset", "fdel", "__wrapped__"] {
            if let inner = object.optionalAttribute(attribute), !inner.isNone {
                collect(inner, into: &found, seen: &seen, depth: depth + 1)
            }
        }
    }
}
