import Foundation
import Testing
@testable import Pyrometer

/// Builds SampleProfile values from stacks written as "<module>:1 main:5 f:9" (function:line,
/// outermost first), every function in one file, its first line the line minus one.
struct SampleProfileBuilder {
    var file = "/src/p.py"
    var stacks: [(String, Int64, Int)] = []  // stack, samples, thread

    func add(_ stack: String, _ samples: Int64, thread: Int = 0) -> SampleProfileBuilder {
        var copy = self
        copy.stacks.append((stack, samples, thread))
        return copy
    }

    func build() -> SampleProfile {
        var frames: [SampledFrame] = []
        var stacks: [SampledStack] = []
        for (text, samples, thread) in self.stacks {
            var indices: [Int] = []
            for part in text.split(separator: " ") {
                let pieces = part.split(separator: ":")
                let line = Int(pieces[1])!
                let frame = SampledFrame(function: String(pieces[0]), file: file, line: line, firstLine: max(line - 1, 1))
                if let found = frames.firstIndex(of: frame) { indices.append(found) } else {
                    frames.append(frame)
                    indices.append(frames.count - 1)
                }
            }
            stacks.append(SampledStack(frames: indices, thread: thread, samples: samples, nanoseconds: samples * 1_000_000))
        }
        let taken = stacks.map(\.samples).reduce(0, +)
        return SampleProfile(python: "3.12.1", command: ["p.py"], mode: "cpu", idle: false, requestedRate: 1000, rate: 1000,
                             duration: Double(taken) / 1000, samplesExpected: taken, samplesTaken: taken, samplesDropped: [:],
                             frames: frames, stacks: stacks,
                             threads: [SampledThread(id: 1, name: "MainThread"), SampledThread(id: 2, name: "")], sources: [:])
    }
}

@Suite struct FlamePicturesTests {
    let profile = SampleProfileBuilder()
        .add("<module>:2 main:5 f:9", 70)
        .add("<module>:2 main:6 g:12", 30)
        .add("<module>:2 main:5 f:10", 5)
        .add("<module>:2 r:20 r:20 r:20", 4)
        .add("worker:31", 1, thread: 1)
        .build()

    func node(_ tree: FlameTree, _ path: [String]) -> FlameTree.Node? {
        var current = 0
        for name in path {
            guard let next = tree.nodes[current].children.first(where: { tree.nodes[$0].function == name }) else { return nil }
            current = next
        }
        return tree.nodes[current]
    }

    @Test func treeMergesByFunctionAndCountsOwnAndTotal() {
        let tree = FlameTree(profile)
        #expect(tree.total == 110)
        #expect(node(tree, ["<module>"])?.total == 109)
        #expect(node(tree, ["<module>", "main"])?.total == 105)
        let f = node(tree, ["<module>", "main", "f"])
        #expect(f?.total == 75 && f?.own == 75)
        #expect(f?.lines == [9: 70, 10: 5])
        #expect(node(tree, ["<module>", "main"])?.own == 0)
        #expect(node(tree, ["<module>", "r", "r", "r"])?.own == 4)
        #expect(tree.maxDepth == 4)
        #expect(tree.nodes.reduce(0) { $0 + $1.own } == tree.total)
    }

    @Test func treeByLineSplitsFrames() {
        let tree = FlameTree(profile, byLine: true)
        let main = tree.nodes[tree.nodes[0].children[0]].children.map { tree.nodes[$0] }.filter { $0.function == "main" }
        #expect(main.map(\.line).sorted { ($0 ?? 0) < ($1 ?? 0) } == [5, 6])
    }

    @Test func totalsCountRecursionOnce() {
        let totals = StackTotals(FlameTree(profile))
        let r = totals.functions.first { $0.function == "r" }
        #expect(r?.total == 4 && r?.own == 4)
        #expect(totals.functions.first?.function == "<module>")
        #expect(totals.lines.first.map { "\($0.function):\($0.line) \($0.own)" } == "f:9 70")
        #expect(totals.percent(70) == "63.6")
    }

    @Test func layoutPlacesChildrenSideBySide() {
        let tree = FlameTree(profile)
        let heavy = tree.layout(.heaviestFirst)
        let main = heavy.first { tree.nodes[$0.node].function == "main" }!
        let f = heavy.first { tree.nodes[$0.node].function == "f" }!
        let g = heavy.first { tree.nodes[$0.node].function == "g" }!
        #expect(f.start == main.start && g.start == main.start + 75)
        let byName = tree.layout(.alphabetical)
        #expect(byName.first.map { tree.nodes[$0.node].function } == "<module>")
    }

    @Test func damagedIndicesAreLeftOut() {
        var damaged = profile
        damaged.stacks.append(SampledStack(frames: [0, 99, -1], thread: 7, samples: 3, nanoseconds: 0))
        damaged.stacks.append(SampledStack(frames: [], thread: 0, samples: 2, nanoseconds: 0))
        let tree = FlameTree(damaged)
        #expect(tree.total == 115)
        #expect(node(tree, [FlameTree.noFrame.function])?.total == 2)
    }

    @Test func collapsedStacksSumToTheSamples() {
        let text = CollapsedReport().text(FlameTree(profile))
        let counts = text.split(separator: "\n").map { Int64($0.split(separator: " ").last!)! }
        #expect(counts.reduce(0, +) == 110)
        #expect(text.contains("<module> (/src/p.py:1);main (/src/p.py:4);f (/src/p.py:8) 75\n"))
        #expect(CollapsedReport.clean("a;b\nc") == "a:b c")
    }

    @Test func markupEscapesEverything() {
        #expect(Markup.escape("<script>\"a\" & 'b'</script>") == "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;")
        #expect(Markup.escape("]]>\u{1}\n") == "]]&gt;\u{FFFD}&#10;")
    }

    @Test func crc32AndGzipFraming() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        let data = [UInt8](repeating: 7, count: 70_000)
        let gz = Gzip.compress(data)
        #expect(Array(gz.prefix(3)) == [0x1F, 0x8B, 8])
        #expect(gz.count < 1000)  // compressed: one literal, then matches of 258
        #expect(Array(gz.suffix(4)) == [0x70, 0x11, 0x01, 0x00])  // 70000, little endian
        let crc = CRC32.checksum(data)
        #expect(Array(gz.suffix(8).prefix(4)) == (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * UInt32($0))) })
    }

    @Test func storedBlocks() {
        let data = [UInt8](repeating: 7, count: 70_000)
        let stored = Deflate.storedBlocks(data)
        // Two blocks (65535 + 4465 bytes), 5 header bytes each.
        #expect(stored.count == 5 + 65535 + 5 + 4465 && stored.count == Deflate.storedSize(data.count))
        #expect(Array(stored.prefix(5)) == [0, 0xFF, 0xFF, 0, 0] && stored[5 + 65535] == 1)
        #expect(Deflate.storedBlocks([]) == [1, 0, 0, 0xFF, 0xFF])
    }

    /// "a" and "" as zlib writes them with its fixed codes (Z_FIXED); "abc" then
    /// one match of length 9 at distance 3 (symbol 263, distance code 2), one
    /// byte shorter than zlib's lazier choice (both inflate to the same text).
    @Test func fixedHuffmanBlocks() {
        #expect(Deflate.fixedBlock(Array("a".utf8)) == [0x4B, 0x04, 0x00])
        #expect(Deflate.fixedBlock([]) == [0x03, 0x00])
        #expect(Deflate.fixedBlock(Array("abcabcabcabc".utf8)) == [0x4B, 0x4C, 0x4A, 0x86, 0x23, 0x00])
    }

    @Test func protobufVarintsAndFields() {
        var writer = ProtobufWriter()
        writer.varint(300)
        #expect(writer.bytes == [0xAC, 0x02])
        var message = ProtobufWriter()
        message.uint(1, 150)
        message.uint(2, 0)  // the default: left out
        message.string(6, "")
        message.packed(1, [3, 270])
        #expect(message.bytes == [0x08, 0x96, 0x01, 0x32, 0x00, 0x0A, 0x03, 0x03, 0x8E, 0x02])
    }

    @Test func speedscopeHasOneSampledProfilePerThread() throws {
        let data = try SamplePictures(profile).speedscope()
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(json["$schema"] as? String == "https://www.speedscope.app/file-format-schema.json")
        let profiles = json["profiles"] as! [[String: Any]]
        #expect(profiles.map { $0["name"] as! String } == ["MainThread", "thread 1"])
        #expect(profiles[0]["unit"] as? String == "nanoseconds")
        #expect((profiles[0]["weights"] as! [Int]).reduce(0, +) == 109_000_000)
    }

    @Test func flameGraphHoldsEveryFrameOnce() {
        let svg = SamplePictures(profile).flameGraph()
        #expect(svg.hasPrefix("<?xml"))
        #expect(svg.components(separatedBy: "<g class=\"frame\"").count - 1 == FlameTree(profile).nodes.count)
        #expect(svg.contains("data-name=\"&lt;module&gt;\""))
        #expect(svg.components(separatedBy: "<script").count == 2)
    }
}
