/// The dominator tree of a directed graph given as compact integer arrays, and
/// the retained size of every node: what would become unreachable if the node
/// went, its own size included.
///
/// Node `d` dominates node `n` when every path from the start to `n` passes
/// through `d`; the immediate dominator of `n` is its closest strict dominator.
/// Computed with the semi-NCA algorithm: semidominators as Lengauer and Tarjan
/// compute them (a depth-first numbering, then an ancestor forest with path
/// compression), then each immediate dominator as the nearest common ancestor
/// of the node's DFS parent and its semidominator in the tree built so far.
/// O(E log N); no recursion (a heap's chains can be 10^6 deep) and no Swift
/// object per node.
public struct DominatorTree {
    /// The graph's nodes plus the start (the last index, `nodeCount`).
    public let nodeCount: Int
    /// Immediate dominator per node (`nodeCount` for nodes the start dominates
    /// directly); -1 for the start and for nodes it does not reach.
    public private(set) var immediateDominator: [Int32]
    /// Nodes reached from the start, in depth-first preorder (the start first).
    /// A node's dominator comes before it.
    public private(set) var preorder: [Int32]

    /// The start node's index.
    public var start: Int { nodeCount }

    /// Builds the tree of a graph whose edges are `targets[offsets[n] ..< offsets[n + 1]]`
    /// for each node `n` in `0 ..< nodeCount` (`offsets` has `nodeCount + 1`
    /// entries). A start node is added, with an edge to each of `roots`.
    public init(nodeCount: Int, offsets: UnsafeBufferPointer<Int32>, targets: UnsafeBufferPointer<Int32>,
                roots: [Int32]) {
        precondition(offsets.count == nodeCount + 1, "one offset per node, and the end")
        self.nodeCount = nodeCount
        let all = nodeCount + 1
        let start = Int32(nodeCount)
        func successors(_ node: Int32) -> (Int, Int) {
            node == start ? (0, roots.count) : (Int(offsets[Int(node)]), Int(offsets[Int(node) + 1]))
        }
        func successor(_ node: Int32, _ position: Int) -> Int32 {
            node == start ? roots[position] : targets[position]
        }

        // 1. Depth-first numbering from the start: number[node] (-1 unreached),
        //    vertex[number], parent[number] (as numbers).
        var number = [Int32](repeating: -1, count: all)
        var vertex = [Int32](repeating: 0, count: all)
        var parent = [Int32](repeating: -1, count: all)
        var reached = 0
        do {
            var stack: [(node: Int32, next: Int, end: Int)] = []
            number[Int(start)] = 0
            vertex[0] = start
            reached = 1
            let (first, end) = successors(start)
            stack.append((start, first, end))
            while !stack.isEmpty {
                let top = stack.count - 1
                if stack[top].next == stack[top].end {
                    stack.removeLast()
                    continue
                }
                let target = successor(stack[top].node, stack[top].next)
                stack[top].next += 1
                guard number[Int(target)] < 0 else { continue }
                number[Int(target)] = Int32(reached)
                vertex[reached] = target
                parent[reached] = number[Int(stack[top].node)]
                reached += 1
                let (targetFirst, targetEnd) = successors(target)
                stack.append((target, targetFirst, targetEnd))
            }
        }

        // 2. Predecessors of each reached node, by number (counting sort).
        var predecessorStart = [Int32](repeating: 0, count: reached + 1)
        for index in 0..<reached {
            let (first, end) = successors(vertex[index])
            for position in first..<end {
                let target = number[Int(successor(vertex[index], position))]
                predecessorStart[Int(target) + 1] += 1
            }
        }
        for index in 0..<reached { predecessorStart[index + 1] += predecessorStart[index] }
        var predecessors = [Int32](repeating: 0, count: Int(predecessorStart[reached]))
        do {
            var fill = predecessorStart
            for index in 0..<reached {
                let (first, end) = successors(vertex[index])
                for position in first..<end {
                    let target = Int(number[Int(successor(vertex[index], position))])
                    predecessors[Int(fill[target])] = Int32(index)
                    fill[target] += 1
                }
            }
        }

        // 3. Semidominators, in reverse preorder, over the ancestor forest.
        var semi = [Int32](0..<Int32(reached))
        var label = semi
        var ancestor = [Int32](repeating: -1, count: reached)
        var path: [Int32] = []
        for w in stride(from: reached - 1, to: 0, by: -1) {
            var best = parent[w]
            for position in Int(predecessorStart[w])..<Int(predecessorStart[w + 1]) {
                let v = Int(predecessors[position])
                // eval(v): the node of least semidominator on v's forest path
                // (its tree's root left out), compressing the path on the way.
                var evaluated = Int32(v)
                if ancestor[v] >= 0 {
                    var x = Int32(v)
                    while ancestor[Int(ancestor[Int(x)])] >= 0 {
                        path.append(x)
                        x = ancestor[Int(x)]
                    }
                    while let y = path.popLast() {
                        let a = Int(ancestor[Int(y)])
                        if semi[Int(label[a])] < semi[Int(label[Int(y)])] { label[Int(y)] = label[a] }
                        ancestor[Int(y)] = ancestor[a]
                    }
                    evaluated = label[v]
                }
                best = min(best, semi[Int(evaluated)])
            }
            semi[w] = best
            ancestor[w] = parent[w]
        }

        // 4. Immediate dominators (as numbers), in preorder: the nearest
        //    ancestor of the parent not below the semidominator.
        var dominator = parent
        for w in 1..<max(1, reached) {
            var candidate = dominator[w]
            while candidate > semi[w] { candidate = dominator[Int(candidate)] }
            dominator[w] = candidate
        }

        var immediate = [Int32](repeating: -1, count: all)
        for w in 1..<max(1, reached) { immediate[Int(vertex[w])] = vertex[Int(dominator[w])] }
        immediateDominator = immediate
        vertex.removeLast(all - reached)
        preorder = vertex
    }

    /// Whether the start reaches `node`.
    public func reaches(_ node: Int32) -> Bool {
        node == Int32(nodeCount) || immediateDominator[Int(node)] >= 0
    }

    /// The retained size of each node (the start's last): its own size plus
    /// the retained sizes of the nodes it immediately dominates. 0 for nodes
    /// the start does not reach.
    public func retainedSizes(_ size: (Int32) -> Int) -> [Int] {
        var retained = [Int](repeating: 0, count: nodeCount + 1)
        for node in preorder { retained[Int(node)] = size(node) }
        for node in preorder.reversed() {
            let dominator = immediateDominator[Int(node)]
            if dominator >= 0 { retained[Int(dominator)] += retained[Int(node)] }
        }
        return retained
    }

    /// The strict dominators of `node`, nearest first, ending with the start's
    /// child (the start itself left out); empty for an unreached node.
    public func dominators(of node: Int32) -> [Int32] {
        var chain: [Int32] = []
        var current = immediateDominator[Int(node)]
        while current >= 0, current != Int32(nodeCount) {
            chain.append(current)
            current = immediateDominator[Int(current)]
        }
        return chain
    }
}
