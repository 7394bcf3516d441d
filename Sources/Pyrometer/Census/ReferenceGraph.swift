import CPython

/// Every live object with its references both ways, for following chains: who
/// holds this object (`referrers`), and the shortest path from a root down to it.
/// Holds a reference to each object it lists, so the addresses stay valid while
/// the graph lives; objects made after it was built are not in it.
final class ReferenceGraph: @unchecked Sendable {  // used under the GIL
    /// The objects, by index; tracked ones first.
    let objects: PyRef
    private var index: ObjectMap
    let count: Int
    // Edges grouped by source (forward) and by target (reverse), as offsets into
    // one array each.
    private let forwardStart: [Int32]
    private let forwardTarget: [Int32]
    private let reverseStart: [Int32]
    private let reverseSource: [Int32]

    private struct Builder {
        var index = ObjectMap(expected: 1 << 16)
        var objects = ObjectStack(capacity: 1 << 16)
        var source: Int32 = -1
        var edgeSources: [Int32] = []
        var edgeTargets: [Int32] = []

        @inline(__always)
        mutating func indexOf(_ object: PyPointer) -> Int32 {
            let next = Int32(objects.count)
            if index.insert(object, next) {
                objects.push(object)
                return next
            }
            return index.value(of: object)!
        }
    }

    private static let visit: visitproc = { object, context in
        guard let object, let context else { return 0 }
        let builder = context.assumingMemoryBound(to: Builder.self)
        let target = builder.pointee.indexOf(object)
        if builder.pointee.source >= 0 {
            builder.pointee.edgeSources.append(builder.pointee.source)
            builder.pointee.edgeTargets.append(target)
        }
        return 0
    }

    init(collectFirst: Bool = true) throws {
        if collectFirst { HeapTraversal.collectGarbage() }
        let tracked = try HeapTraversal.trackedObjects()
        let builder = UnsafeMutablePointer<Builder>.allocate(capacity: 1)
        builder.initialize(to: Builder())
        defer {
            builder.pointee.objects.release()
            builder.deinitialize(count: 1)
            builder.deallocate()
        }
        let context = UnsafeMutableRawPointer(builder)
        for position in 0..<pyro_list_size(tracked.pointer) {
            _ = builder.pointee.indexOf(pyro_list_item(tracked.pointer, position)!)
        }
        HeapTraversal.frameReferences(ReferenceGraph.visit, context)
        // The object list is the queue: each object's references may append more.
        var next = 0
        while next < builder.pointee.objects.count {
            let object = builder.pointee.objects[next]
            builder.pointee.source = Int32(next)
            HeapTraversal.references(of: object, ReferenceGraph.visit, context)
            next += 1
        }
        let count = builder.pointee.objects.count
        objects = try builder.pointee.objects.list()
        withExtendedLifetime(tracked) {}
        index = builder.pointee.index
        self.count = count
        (forwardStart, forwardTarget) = ReferenceGraph.group(builder.pointee.edgeSources, builder.pointee.edgeTargets, nodes: count)
        (reverseStart, reverseSource) = ReferenceGraph.group(builder.pointee.edgeTargets, builder.pointee.edgeSources, nodes: count)
    }

    deinit { index.release() }

    /// Edges (key[i] → value[i]) grouped by key: offsets and values (counting sort).
    private static func group(_ keys: [Int32], _ values: [Int32], nodes: Int) -> ([Int32], [Int32]) {
        var start = [Int32](repeating: 0, count: nodes + 1)
        for key in keys { start[Int(key) + 1] += 1 }
        for node in 0..<nodes { start[node + 1] += start[node] }
        var fill = start
        var grouped = [Int32](repeating: 0, count: values.count)
        for (key, value) in zip(keys, values) {
            grouped[Int(fill[Int(key)])] = value
            fill[Int(key)] += 1
        }
        return (start, grouped)
    }

    func object(_ node: Int32) -> PyPointer { pyro_list_item(objects.pointer, Int(node))! }
    func node(of object: PyPointer) -> Int32? { index.value(of: object) }

    func referrers(of node: Int32) -> ArraySlice<Int32> {
        reverseSource[Int(reverseStart[Int(node)])..<Int(reverseStart[Int(node) + 1])]
    }

    func referents(of node: Int32) -> ArraySlice<Int32> {
        forwardTarget[Int(forwardStart[Int(node)])..<Int(forwardStart[Int(node) + 1])]
    }

    /// Breadth-first from `starts` along references; stops when `isGoal` says so.
    /// Returns the path start → goal as nodes, or nil.
    func shortestPath(from starts: [Int32], to isGoal: (Int32) -> Bool) -> [Int32]? {
        var parent = [Int32](repeating: -2, count: count)  // -2 unseen, -1 a start
        var queue: [Int32] = []
        for start in starts where parent[Int(start)] == -2 {
            parent[Int(start)] = -1
            queue.append(start)
        }
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            if isGoal(node) {
                var path = [node]
                while parent[Int(path.last!)] >= 0 { path.append(parent[Int(path.last!)]) }
                return path.reversed()
            }
            for next in referents(of: node) where parent[Int(next)] == -2 {
                parent[Int(next)] = node
                queue.append(next)
            }
        }
        return nil
    }
}
