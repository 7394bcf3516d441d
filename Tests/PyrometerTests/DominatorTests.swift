import CPython
import Testing
@testable import Pyrometer

/// A tree from an edge list over nodes 0..<count.
private func dominatorTree(_ count: Int, _ edges: [(Int, Int)], roots: [Int]) -> DominatorTree {
    var offsets = [Int32](repeating: 0, count: count + 1)
    for (source, _) in edges { offsets[source + 1] += 1 }
    for node in 0..<count { offsets[node + 1] += offsets[node] }
    var fill = offsets
    var targets = [Int32](repeating: 0, count: edges.count)
    for (source, target) in edges {
        targets[Int(fill[source])] = Int32(target)
        fill[source] += 1
    }
    return offsets.withUnsafeBufferPointer { offsets in
        targets.withUnsafeBufferPointer { targets in
            DominatorTree(nodeCount: count, offsets: offsets, targets: targets, roots: roots.map(Int32.init))
        }
    }
}

@Suite struct DominatorTreeTests {
    /// Lengauer and Tarjan's example (TOPLAS 1979, figure 1), with its answer.
    @Test func lengauerTarjanExample() {
        let names = Array("RABCDEFGHIJKL")
        func n(_ name: Character) -> Int { names.firstIndex(of: name)! }
        let edges: [(Character, Character)] = [
            ("R", "A"), ("R", "B"), ("R", "C"), ("A", "D"), ("B", "A"), ("B", "D"), ("B", "E"),
            ("C", "F"), ("C", "G"), ("D", "L"), ("E", "H"), ("F", "I"), ("G", "I"), ("G", "J"),
            ("H", "E"), ("H", "K"), ("I", "K"), ("J", "I"), ("K", "I"), ("K", "R"), ("L", "H"),
        ]
        let tree = dominatorTree(names.count, edges.map { (n($0.0), n($0.1)) }, roots: [n("R")])
        let expected: [Character: Character] = [
            "A": "R", "B": "R", "C": "R", "D": "R", "E": "R", "F": "C", "G": "C",
            "H": "R", "I": "R", "J": "G", "K": "R", "L": "D",
        ]
        for (node, dominator) in expected {
            #expect(tree.immediateDominator[n(node)] == Int32(n(dominator)), "idom(\(node))")
        }
        #expect(tree.immediateDominator[n("R")] == Int32(tree.start))
        #expect(tree.dominators(of: Int32(n("J"))) == [Int32(n("G")), Int32(n("C")), Int32(n("R"))])
    }

    /// Cooper, Harvey and Kennedy's irreducible example ("A Simple, Fast
    /// Dominance Algorithm", figure 4): the entry dominates every node directly.
    @Test func cooperHarveyKennedyIrreducibleExample() {
        // Nodes 1...6 as 0...5; 6 is the entry.
        let edges = [(6, 5), (6, 4), (5, 1), (4, 2), (4, 3), (1, 2), (2, 1), (2, 3), (3, 2)].map { ($0.0 - 1, $0.1 - 1) }
        let tree = dominatorTree(6, edges, roots: [5])
        for node in 0..<5 { #expect(tree.immediateDominator[node] == 5, "idom(\(node + 1))") }
    }

    /// A diamond: what both branches share is retained by the top only.
    @Test func retainedSizesOfADiamond() {
        // 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3; 3 -> 4 (4 only through 3).
        let tree = dominatorTree(5, [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4)], roots: [0])
        #expect(tree.immediateDominator.prefix(5) == [5, 0, 0, 0, 3])
        let sizes = [1, 2, 4, 8, 16]
        let retained = tree.retainedSizes { $0 == 5 ? 0 : sizes[Int($0)] }
        #expect(retained.prefix(5) == [31, 2, 4, 24, 16])
        #expect(retained[5] == 31)
    }

    /// Two roots holding one object: neither retains it; a cycle held once is
    /// retained whole by the node it hangs from; unreached nodes retain nothing.
    @Test func sharedCyclesAndUnreachedNodes() {
        // Roots 0 and 1 share 2; 0 holds the cycle 3 <-> 4; 5 -> 6 is unreached.
        let tree = dominatorTree(7, [(0, 2), (1, 2), (0, 3), (3, 4), (4, 3), (5, 6)], roots: [0, 1])
        #expect(tree.immediateDominator[2] == 7)
        #expect(tree.immediateDominator[3] == 0 && tree.immediateDominator[4] == 3)
        #expect(!tree.reaches(5) && !tree.reaches(6))
        let retained = tree.retainedSizes { $0 == 7 ? 0 : 10 }
        #expect(retained[0] == 30 && retained[1] == 10 && retained[2] == 10)
        #expect(retained[5] == 0 && retained[6] == 0)
        #expect(retained[7] == 50)
    }

    /// Random graphs against the definition: d dominates n when n cannot be
    /// reached from the roots once d is taken away.
    @Test func randomGraphsAgreeWithTheDefinition() {
        var seed: UInt64 = 12345
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        for _ in 0..<40 {
            let count = 2 + next(40)
            let edges = (0..<next(count * 3)).map { _ in (next(count), next(count)) }
            let roots = (0..<1 + next(3)).map { _ in next(count) }
            let tree = dominatorTree(count, edges, roots: roots)
            func reached(without removed: Int?) -> Set<Int> {
                var seen = Set<Int>(), stack = roots.filter { $0 != removed }
                while let node = stack.popLast() {
                    guard seen.insert(node).inserted else { continue }
                    stack += edges.filter { $0.0 == node && $0.1 != removed }.map(\.1)
                }
                return seen
            }
            let all = reached(without: nil)
            var dominatedBy: [Int: Set<Int>] = [:]  // node -> its strict dominators
            for candidate in all {
                let rest = reached(without: candidate)
                for node in all where node != candidate && !rest.contains(node) { dominatedBy[node, default: []].insert(candidate) }
            }
            for node in 0..<count {
                guard all.contains(node) else {
                    #expect(tree.immediateDominator[node] == -1)
                    continue
                }
                let strict = dominatedBy[node] ?? []
                // The nearest: dominated by all the others.
                let nearest = strict.first { d in strict.allSatisfy { $0 == d || (dominatedBy[d] ?? []).contains($0) } }
                #expect(tree.immediateDominator[node] == Int32(nearest ?? count), "graph \(edges) roots \(roots) node \(node)")
            }
        }
    }

    /// A chain of 300,000 (a linked list): no recursion, each node dominates the next.
    @Test func longChain() {
        let count = 300_000
        let tree = dominatorTree(count, (0..<count - 1).map { ($0, $0 + 1) } + [(count - 1, 0)], roots: [0])
        #expect(tree.immediateDominator[0] == Int32(count))
        #expect((1..<count).allSatisfy { tree.immediateDominator[$0] == Int32($0 - 1) })
        let retained = tree.retainedSizes { $0 == Int32(count) ? 0 : 1 }
        #expect(retained[0] == count && retained[count - 1] == 1)
    }
}

@Suite(.serialized) struct HeapDominatorTests {
    init() { TestInterpreter.start() }

    func run(_ code: String) {
        #expect(PyRun_SimpleString(code) == 0)
    }

    @Test func retainedSizesOfPlantedObjects() throws {
        try withGIL {
            run("""
                import os, sys
                dominated_list = [os.urandom(1024) for _ in range(1000)]
                dominated_shared = os.urandom(4096)
                dominated_a, dominated_b = [dominated_shared], [dominated_shared]
                del dominated_shared
                dominated_cycle = [None, os.urandom(2048)]
                dominated_cycle[0] = [dominated_cycle]
                """)
            let main = try PyRef.importModule("__main__")
            let getsizeof = try PyRef.importModule("sys").attribute("getsizeof")
            func size(_ object: PyRef) throws -> Int { try getsizeof.call(object).intValue! }
            let list = try main.attribute("dominated_list")
            let a = try main.attribute("dominated_a"), b = try main.attribute("dominated_b")
            let cycle = try main.attribute("dominated_cycle")
            let heap = try HeapDominators(collectFirst: true)
            // The list and its 1000 distinct bytes of 1 KiB: nothing else holds them.
            var expected = try size(list)
            for item in try list.iterate() { expected += try size(item) }
            #expect(expected > 1000 * 1024)
            #expect(heap.retainedSize(of: list.pointer) == expected)
            // A bytes object in two lists is retained by neither.
            #expect(heap.retainedSize(of: a.pointer) == (try size(a)))
            #expect(heap.retainedSize(of: b.pointer) == (try size(b)))
            // The cycle's other list and the bytes go with it.
            let partner = try cycle.item(0), payload = try cycle.item(1)
            #expect(heap.retainedSize(of: cycle.pointer) == (try size(cycle) + size(partner) + size(payload)))
            let item = try list.item(7)
            #expect(heap.dominators(of: item.pointer).last == list.pointer)
            run("del dominated_list, dominated_a, dominated_b, dominated_cycle")
        }
    }
}
