import CPython

/// For a growing type: picks one of its objects that appeared since the first
/// census (or, when only the bytes grow, one of its biggest objects), and finds
/// the shortest chain of references from a root to it — a module in
/// `sys.modules` or a local variable of a live frame.
struct LeakTracer {
    let graph: ReferenceGraph
    var names = TypeNames()
    /// Start nodes, what they are ("module app", "local x in main (app.py:3)") and
    /// the name a path from them starts with ("app", "x").
    private(set) var roots: [(node: Int32, label: String, name: String)] = []
    let helpers: PyRef

    init() throws {
        graph = try ReferenceGraph(collectFirst: false)
        helpers = try PyRef.importModule("pyrometer._census")
        try findRoots()
    }

    private mutating func findRoots() throws {
        // Locals of live frames, innermost first; modules go before them below
        // (the search takes the shortest path; the order only breaks ties).
        final class Found { var locals: [(PyPointer, String, String)] = [] }
        let found = Found()
        let each: pyro_frame_local_fn = { code, name, value, line, context in
            guard let code, let name, let value, let context else { return }
            let found = Unmanaged<Found>.fromOpaque(context).takeUnretainedValue()
            let codeRef = PyRef(borrowed: code)
            let function = codeRef.optionalAttribute("co_qualname")?.stringValue ?? "?"
            let file = codeRef.optionalAttribute("co_filename")?.stringValue ?? "?"
            let local = PyRef(borrowed: name).stringValue ?? "?"
            found.locals.append((value, "local \(local) in \(function) (\(file):\(line))", local))
        }
        withExtendedLifetime(found) {
            pyro_each_frame_local(each, Unmanaged.passUnretained(found).toOpaque())
        }
        var seen = Set<Int32>()
        for (value, label, local) in found.locals {
            if let node = graph.node(of: value), seen.insert(node).inserted { roots.append((node, label, local)) }
        }
        let modules = try PyRef.importModule("sys").attribute("modules")
        var position: Py_ssize_t = 0
        var key: PyPointer?
        var value: PyPointer?
        var moduleRoots: [(node: Int32, label: String, name: String)] = []
        while PyDict_Next(modules.pointer, &position, &key, &value) != 0 {
            guard let key, let value, pyro_is_module(value) != 0, let node = graph.node(of: value),
                  let name = PyRef(borrowed: key).stringValue, !name.hasPrefix("pyrometer"), name != "_pyrometer",
                  !seen.contains(node) else { continue }
            seen.insert(node)
            moduleRoots.append((node, "module \(name)", name))
        }
        roots = moduleRoots.sorted { $0.name < $1.name } + roots
    }

    /// A sample object of `type` with its chain from a root; nil if none is
    /// reachable. When the count grows: one made since the baseline census; when
    /// only the bytes do: one of those that grew most since then.
    mutating func sample(of type: String, countGrows: Bool, newSince baseline: UnsafeMutablePointer<ObjectMap>?)
        throws -> LeakSample? {
        var candidates = Set<Int32>()
        var grew: [(size: Int, node: Int32)] = []
        for node in 0..<Int32(graph.count) {
            let object = graph.object(node)
            guard names.name(ofObject: object) == type else { continue }
            if countGrows {
                if baseline.map({ !$0.pointee.contains(object) }) ?? true { candidates.insert(node) }
                if candidates.count >= 4096 { break }
            } else if let before = baseline?.pointee.value(of: object) {
                let grown = pyro_getsizeof(object) - Int(before)
                if grown > 0 { grew.append((grown, node)) }
            }
        }
        if !countGrows {
            candidates = Set(grew.sorted { $0.size > $1.size }.prefix(8).map(\.node))
        }
        guard !candidates.isEmpty,
              let path = graph.shortestPath(from: roots.map(\.node), to: { candidates.contains($0) }) else { return nil }
        return try describe(path)
    }

    private mutating func describe(_ path: [Int32]) throws -> LeakSample {
        let root = roots.first { $0.node == path[0] }!
        let objects = try PyRef.list(path.map { PyRef(borrowed: graph.object($0)) })
        let steps = try helpers.attribute("_path_steps").call(objects).iterate().map { $0.stringValue ?? " -> " }
        let describeObject = try helpers.attribute("_safe_describe")
        var chain: [ChainStep] = []
        for (index, node) in path.enumerated() {
            let object = graph.object(node)
            chain.append(ChainStep(via: index == 0 ? "" : steps[index - 1], type: names.name(ofObject: object),
                                   description: try describeObject.call(PyRef(borrowed: object)).stringValue ?? "",
                                   node: "o\(UInt(bitPattern: object))"))
        }
        let sample = graph.object(path.last!)
        return LeakSample(description: chain.last!.description, address: UInt(bitPattern: sample), root: root.label,
                          path: root.name + steps.joined(), chain: chain,
                          allocatedAt: AllocationSites.place(of: sample))
    }
}

/// Where an object was allocated, from the memory tool's allocation table while
/// `--trace-allocations` has the allocator hooks installed.
enum AllocationSites {
    nonisolated(unsafe) static var tracing = false

    static func place(of object: PyPointer) -> SourcePlace? {
        guard tracing else { return nil }
        // The GIL is held: no hook runs meanwhile.
        let state = MemoryCollector.state
        guard let site = state.pointee.table.site(of: UInt(bitPattern: pyro_allocation_base(object))) else { return nil }
        return SiteSymbols.place(ofSite: Int(site))
    }
}
