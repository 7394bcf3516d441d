import CPython

/// The dominator tree of the heap and every object's retained size: the bytes
/// (`sys.getsizeof`) that would be freed if the object went, its own included.
///
/// The tree hangs from one start node whose edges go to the heap's roots, the
/// objects that something outside the graph keeps alive:
/// - what the live frames of every thread hold (locals, cells, globals...);
/// - every object whose reference count exceeds the references found to it:
///   held by the interpreter itself (`sys.modules`, the builtins, interned
///   strings), by C code or a running frame's value stack, or immortal.
/// An object shared by two holders is dominated by neither, so it counts in
/// the retained size of their nearest common dominator only.
final class HeapDominators: @unchecked Sendable {  // used under the GIL
    let graph: ReferenceGraph
    let tree: DominatorTree
    /// Own size of each node (`sys.getsizeof`).
    let sizes: [Int]
    /// Retained size of each node; the start's (the last) is the whole heap's.
    let retained: [Int]
    /// Whether a node is one of the roots (a child of the start).
    let isRoot: [Bool]

    /// Counts references from the live frames of every thread, per node.
    private struct FrameReferences {
        let graph: ReferenceGraph
        var counts: [Int32]
    }

    private static let countFrameReference: visitproc = { object, context in
        guard let object, let context else { return 0 }
        let found = context.assumingMemoryBound(to: FrameReferences.self)
        if let node = found.pointee.graph.node(of: object) { found.pointee.counts[Int(node)] += 1 }
        return 0
    }

    /// The objects a question is about, and the list or tuple that names them:
    /// the question holds them (from a frame, its arguments, that container),
    /// which is not what keeps them alive in the program.
    struct Question {
        var objects: [PyPointer] = []
        var container: PyPointer?
    }

    /// The tree of `graph`, a snapshot of the heap taken just before (the
    /// reference each node's entry in it holds is allowed for). The objects of
    /// `question` are roots only if nothing else reaches them; its container
    /// holds nothing.
    init(_ graph: ReferenceGraph, question: Question = Question()) {
        self.graph = graph
        let count = graph.count
        let frames = UnsafeMutablePointer<FrameReferences>.allocate(capacity: 1)
        frames.initialize(to: FrameReferences(graph: graph, counts: [Int32](repeating: 0, count: count)))
        HeapTraversal.frameReferences(HeapDominators.countFrameReference, UnsafeMutableRawPointer(frames))
        let fromFrames = frames.pointee.counts
        frames.deinitialize(count: 1)
        frames.deallocate()

        var asked = Set(question.objects.compactMap { graph.node(of: $0) })
        let container = question.container.flatMap { graph.node(of: $0) }
        var offsets = [Int32](repeating: 0, count: count + 1)
        var targets: [Int32] = []
        targets.reserveCapacity(count * 2)
        var roots: [Int32] = []
        var isRoot = [Bool](repeating: false, count: count)
        var sizes = [Int](repeating: 0, count: count)
        for node in 0..<count {
            let object = graph.object(Int32(node))
            let referrers = graph.referrers(of: Int32(node)).count
            // One reference is the graph's own.
            let unexplained = pyro_refcnt(object) - 1 - referrers - Int(fromFrames[node])
            if fromFrames[node] > 0 || unexplained > 0, !asked.contains(Int32(node)) {
                roots.append(Int32(node))
                isRoot[node] = true
            }
            if Int32(node) != container { targets.append(contentsOf: graph.referents(of: Int32(node))) }
            offsets[node + 1] = Int32(targets.count)
            sizes[node] = max(0, pyro_getsizeof(object))
        }
        if !asked.isEmpty {
            // Those of the question nothing else reaches are roots after all.
            var reached = [Bool](repeating: false, count: count)
            var stack = roots
            for root in roots { reached[Int(root)] = true }
            while let node = stack.popLast(), !asked.isEmpty {
                asked.remove(node)
                for position in Int(offsets[Int(node)])..<Int(offsets[Int(node) + 1]) where !reached[Int(targets[position])] {
                    reached[Int(targets[position])] = true
                    stack.append(targets[position])
                }
            }
            for node in asked.sorted() {
                roots.append(node)
                isRoot[Int(node)] = true
            }
        }
        tree = offsets.withUnsafeBufferPointer { offsets in
            targets.withUnsafeBufferPointer { targets in
                DominatorTree(nodeCount: count, offsets: offsets, targets: targets, roots: roots)
            }
        }
        self.sizes = sizes
        self.isRoot = isRoot
        retained = tree.retainedSizes { $0 == Int32(count) ? 0 : sizes[Int($0)] }
    }

    /// A snapshot of the heap now, after a full collection when `collectFirst`.
    convenience init(collectFirst: Bool, question: Question = Question()) throws {
        self.init(try ReferenceGraph(collectFirst: collectFirst), question: question)
    }

    /// The retained size of `object`, or nil if it is not in the snapshot (made
    /// after it).
    func retainedSize(of object: PyPointer) -> Int? {
        graph.node(of: object).map { retained[Int($0)] }
    }

    /// The objects that dominate `object`, outermost first (the immediate
    /// dominator last): if any of them went, `object` would go too.
    func dominators(of object: PyPointer) -> [PyPointer] {
        guard let node = graph.node(of: object) else { return [] }
        return tree.dominators(of: node).reversed().map { graph.object($0) }
    }

    /// The `limit` nodes with the largest retained sizes among those `accept`
    /// takes, largest first.
    func largest(_ limit: Int, where accept: (Int32) -> Bool) -> [Int32] {
        guard limit > 0 else { return [] }
        var best: [Int32] = []
        for node in 0..<Int32(graph.count) {
            let size = retained[Int(node)]
            if best.count == limit, size <= retained[Int(best[limit - 1])] { continue }
            guard tree.reaches(node), accept(node) else { continue }
            var position = best.count
            while position > 0, retained[Int(best[position - 1])] < size { position -= 1 }
            best.insert(node, at: position)
            if best.count > limit { best.removeLast() }
        }
        return best
    }
}
