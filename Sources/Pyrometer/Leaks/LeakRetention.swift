import CPython

extension LeakTracer {
    /// For each leak: the retained size of its type's new objects (or, when
    /// only the bytes grow, of the objects that grew since the baseline) and the
    /// object made before the baseline that retains most of them, with a path
    /// from a root to it. Call before anything else runs on the snapshot: the
    /// roots are told by reference counts, which must still match it.
    mutating func retention(of leaks: [Leak], newSince baseline: UnsafeMutablePointer<ObjectMap>?)
        throws -> [String: Retention] {
        guard !leaks.isEmpty else { return [:] }
        let heap = HeapDominators(graph)
        let tree = heap.tree
        let count = graph.count
        let start = Int32(count)

        // The measured objects: leak index per node, -1 for others.
        var leakIndex: [String: Int32] = [:]
        for (index, leak) in leaks.enumerated() { leakIndex[leak.type] = Int32(index) }
        var indexOfType: [UInt: Int32] = [:]
        var measured = [Int32](repeating: -1, count: count)
        var measuredCount = [Int](repeating: 0, count: leaks.count)
        for node in 0..<count {
            let object = graph.object(Int32(node))
            let key = UInt(bitPattern: pyro_type(object)!)
            let index: Int32
            if let known = indexOfType[key] {
                index = known
            } else {
                index = leakIndex[names.name(ofObject: object)] ?? -1
                indexOfType[key] = index
            }
            guard index >= 0, tree.reaches(Int32(node)) else { continue }
            let chosen: Bool
            if leaks[Int(index)].countGrows {
                chosen = baseline.map { !$0.pointee.contains(object) } ?? true
            } else if let before = baseline?.pointee.value(of: object) {
                chosen = pyro_getsizeof(object) > Int(before)
            } else {
                chosen = false
            }
            if chosen {
                measured[node] = index
                measuredCount[Int(index)] += 1
            }
        }

        // The nearest strict dominator of each node made before the baseline
        // (-1: none below the start).
        func isOld(_ node: Int32) -> Bool {
            baseline.map { $0.pointee.contains(graph.object(node)) } ?? true
        }
        var olderHolder = [Int32](repeating: -1, count: count + 1)
        for node in tree.preorder where node != start {
            let dominator = tree.immediateDominator[Int(node)]
            if dominator == start { continue }
            olderHolder[Int(node)] = isOld(dominator) ? dominator : olderHolder[Int(dominator)]
        }

        var found: [String: Retention] = [:]
        var covered = [Bool](repeating: false, count: count + 1)
        var paths: [Int32: (root: String, path: String)?] = [:]
        for (index, leak) in leaks.enumerated() where measuredCount[index] > 0 {
            // Objects inside another measured one are in its retained size already.
            var retention = Retention(objects: 0, bytes: 0, heldBy: nil)
            var byHolder: [Int32: (bytes: Int, objects: Int)] = [:]
            for node in tree.preorder where node != start {
                let dominator = Int(tree.immediateDominator[Int(node)])
                covered[Int(node)] = dominator != count && (covered[dominator] || measured[dominator] == Int32(index))
                guard measured[Int(node)] == Int32(index), !covered[Int(node)] else { continue }
                let bytes = heap.retained[Int(node)]
                retention.objects += 1
                retention.bytes += bytes
                let holder = olderHolder[Int(node)]
                if holder >= 0 {
                    let old = byHolder[holder] ?? (0, 0)
                    byHolder[holder] = (old.bytes + bytes, old.objects + 1)
                }
            }
            // The holder of the most bytes (the lowest address on a tie, for a stable choice).
            if let (holder, held) = byHolder.max(by: { ($0.value.bytes, $1.key) < ($1.value.bytes, $0.key) }) {
                if paths[holder] == nil { paths[holder] = try path(to: holder) }
                let object = graph.object(holder)
                let description = try helpers.attribute("_safe_describe").call(PyRef(borrowed: object)).stringValue ?? ""
                retention.heldBy = RetentionHolder(bytes: held.bytes, objects: held.objects,
                                                   type: names.name(ofObject: object), description: description,
                                                   root: paths[holder]??.root, path: paths[holder]??.path)
            }
            found[leak.type] = retention
        }
        return found
    }

    /// The shortest path from a root (a module or a frame's local) to `node`,
    /// written as Python would reach it.
    private func path(to node: Int32) throws -> (root: String, path: String)? {
        guard let path = graph.shortestPath(from: roots.map(\.node), to: { $0 == node }),
              let root = roots.first(where: { $0.node == path[0] }) else { return nil }
        let objects = try PyRef.list(path.map { PyRef(borrowed: graph.object($0)) })
        let steps = try helpers.attribute("_path_steps").call(objects).iterate().map { $0.stringValue ?? " -> " }
        return (root.label, root.name + steps.joined())
    }
}
