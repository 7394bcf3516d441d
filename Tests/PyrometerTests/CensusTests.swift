import CPython
import Foundation
import Testing
@testable import Pyrometer

@Suite(.serialized) struct CensusTests {
    init() { TestInterpreter.start() }

    /// Count and bytes of a type in a complete census.
    func totals(_ name: String) throws -> (count: Int, bytes: Int, tracked: Int) {
        try CensusWalk.run(.init()) { tally, _ in
            var result = (count: 0, bytes: 0, tracked: 0)
            var names = TypeNames()
            for entry in tally.filled where names.name(of: entry.type!) == name {
                result.count += entry.count
                result.bytes += entry.bytes
                result.tracked += entry.trackedCount
            }
            return result
        }
    }

    func run(_ code: String) {
        #expect(PyRun_SimpleString(code) == 0)
    }

    @Test func untrackedObjectsAreCountedOnceWithTheirSizes() throws {
        try withGIL {
            // The names exist first, so the module's dict keeps its size and keys.
            run("import gc, sys; census_records = census_nested = census_words = census_again = None; gc.collect()")
            let dicts = try totals("dict"), ints = try totals("int"), strs = try totals("str")
            // 1000 untracked records in a list (the bulk path), 500 in a tuple of
            // tuples (the general path), 300 strings shared by two lists.
            run("""
                census_records = [{'n': 10**9 + i} for i in range(1000)]
                census_nested = tuple(({'m': 2 * 10**9 + i},) for i in range(500))
                census_words = ['word-%d' % i for i in range(300)]
                census_again = list(census_words)
                gc.collect()
                """)
            let moreDicts = try totals("dict"), moreInts = try totals("int"), moreStrs = try totals("str")
            #expect(moreDicts.count - dicts.count == 1500)
            #expect(moreDicts.tracked == dicts.tracked)  // the planted dicts are all untracked
            #expect(moreInts.count - ints.count == 1500)
            #expect(moreStrs.count - strs.count == 300)  // each once, though two lists hold them
            // Bytes as sys.getsizeof gives them: a one-key dict; an int of one
            // 30-bit digit (10**9 + i) or of two (2 * 10**9 + i).
            let sizes = try PyRef.importModule("sys").attribute("getsizeof")
            func size(_ code: String) throws -> Int {
                try sizes.call(PyRef(owned: PyRun_String(code, Py_eval_input, PyEval_GetBuiltins(), nil))).intValue!
            }
            #expect(moreDicts.bytes - dicts.bytes == 1500 * (try size("{'n': 1}")))
            #expect(moreInts.bytes - ints.bytes == 1000 * (try size("10**9")) + 500 * (try size("2 * 10**9")))
            run("census_records = census_nested = census_words = census_again = None; gc.collect()")
            let after = try totals("dict").count
            #expect(after == dicts.count)
            #expect(try totals("str").count == strs.count)
        }
    }

    @Test func referenceGraphFindsHoldersAndPaths() throws {
        try withGIL {
            run("""
                class CensusHolder: pass
                census_holder = CensusHolder()
                census_holder.items = [('deep-' * 3) + 'target']
                """)
            let main = try PyRef.importModule("__main__")
            let holder = try main.attribute("census_holder")
            let items = try holder.attribute("items")
            let target = try items.item(0)
            let graph = try ReferenceGraph()
            let node = try #require(graph.node(of: target.pointer))
            #expect(graph.referrers(of: node).map { graph.object($0) } == [items.pointer])
            let start = try #require(graph.node(of: main.pointer))
            let path = try #require(graph.shortestPath(from: [start]) { $0 == node })
            // module -> its dict -> the instance -> its list -> the string
            #expect(path.map { graph.object($0) }.dropFirst(2) == [holder.pointer, items.pointer, target.pointer])
        }
    }
}

@Suite struct LeakReportFileTests {
    @Test func roundTripsThroughAResultFile() throws {
        let report = LeakReport(
            python: "3.12.1", command: ["-c", "pass"], mode: .calls, function: "app:handle", interval: nil,
            points: [0, 1, 2, 3], totalCounts: [10, 12, 14, 16], totalBytes: [100, 120, 140, 160],
            leaks: [Leak(type: "app.Record", counts: [1, 3, 5, 7], bytes: [56, 168, 280, 392], countGrowth: 2,
                         bytesGrowth: 112, countGrows: true, risingSteps: 3, steps: 3,
                         sample: LeakSample(description: "<app.Record>", address: 0x1000, root: "module app",
                                            path: "app.KEPT[6]",
                                            chain: [ChainStep(via: "", type: "module", description: "app", node: "o1"),
                                                    ChainStep(via: ".KEPT", type: "list", description: "7 items", node: "o2"),
                                                    ChainStep(via: "[6]", type: "app.Record", description: "<app.Record>", node: "o3")],
                                            allocatedAt: SourcePlace(file: "app.py", line: 9, function: "handle")))],
            problem: nil)
        let path = NSTemporaryDirectory() + "pyrometer-leaks-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ResultFile.write(report, to: path)
        let read = try ResultFile.read(LeakReport.self, from: path)
        #expect(read == report)
        let text = LeakTextReport().render(read)
        #expect(text.contains("app.Record: +2.0 objects and +112.0 bytes per call"))
        #expect(text.contains("  allocated at: app.py:9 in handle\n"))
        #expect(text.contains("  path:         app.KEPT[6]\n"))
        #expect(text.hasSuffix("Leak found: 1 type kept growing over 3 calls.\n"))
        let graph = DotGraphReport.render(LeakGraph.make(read))
        #expect(graph.contains("  o1 -> o2 [label=\".KEPT\",weight=10];\n"))
        #expect(graph.contains("  o2 -> o3 [label=\"[6]\",weight=10];\n"))
    }
}
