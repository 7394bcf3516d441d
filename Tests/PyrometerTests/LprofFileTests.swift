import Testing
@testable import Pyrometer

/// The .lprof file is a pickle of line_profiler's LineStats, opcode for opcode.
@Suite struct LprofFileTests {
    @Test func integersTakeTheShortestOpcode() {
        func encoded(_ value: Int64) -> [UInt8] {
            var pickle = PickleWriter()
            pickle.int(value)
            return pickle.bytes
        }
        #expect(encoded(0) == [0x4B, 0])                               // BININT1
        #expect(encoded(255) == [0x4B, 255])
        #expect(encoded(256) == [0x4A, 0x00, 0x01, 0x00, 0x00])        // BININT, little-endian
        #expect(encoded(-1) == [0x4A, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(encoded(Int64(Int32.max)) == [0x4A, 0xFF, 0xFF, 0xFF, 0x7F])
        #expect(encoded(1 << 31) == [0x8A, 5, 0x00, 0x00, 0x00, 0x80, 0x00])  // LONG1: the sign byte kept
        #expect(encoded(-(1 << 31) - 1) == [0x8A, 5, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF])
        #expect(encoded(Int64.max) == [0x8A, 8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
    }

    @Test func floatsAreBigEndian() {
        var pickle = PickleWriter()
        pickle.double(1.0)
        #expect(pickle.bytes == [0x47, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0])
    }

    @Test func aProfileAsLineStats() {
        let profile = LineProfile(timerUnit: 1e-9, python: "3.11.7", command: ["demo.py"], exitStatus: 0, functions: [
            FunctionTimings(name: "f", file: "/d.py", firstLine: 2,
                            lines: [LineTiming(line: 3, hits: 2, time: 300)], source: []),
            FunctionTimings(name: "g", file: "/d.py", firstLine: 9, lines: [], source: []),
        ])
        let bytes = LprofFile.encode(profile)
        var expected: [UInt8] = [0x80, 2]
        expected += Array("cline_profiler._line_profiler\nLineStats\n".utf8) + [0x29, 0x81, 0x7D, 0x28]
        func string(_ text: String) -> [UInt8] { [0x58, UInt8(text.utf8.count), 0, 0, 0] + Array(text.utf8) }
        expected += string("timings") + [0x7D, 0x28]
        expected += string("/d.py") + [0x4B, 2] + string("f") + [0x87]
        expected += [0x5D, 0x28, 0x4B, 3, 0x4B, 2, 0x4A, 0x2C, 0x01, 0, 0, 0x87, 0x65]
        expected += string("/d.py") + [0x4B, 9] + string("g") + [0x87, 0x5D]   // never called: an empty list
        expected += [0x75] + string("unit") + [0x47] + [0x3E, 0x11, 0x2E, 0x0B, 0xE8, 0x26, 0xD6, 0x95]
        expected += [0x75, 0x62, 0x2E]
        #expect(bytes == expected)
    }

    @Test func theSameFunctionTwiceIsAddedUp() {
        let twice = FunctionTimings(name: "f", file: "/d.py", firstLine: 2, lines: [LineTiming(line: 3, hits: 1, time: 5)], source: [])
        let once = FunctionTimings(name: "f", file: "/d.py", firstLine: 2, lines: [LineTiming(line: 3, hits: 2, time: 10)], source: [])
        let merged = LineProfile(timerUnit: 1e-9, python: "3.11.7", command: [], functions: [twice, twice])
        let single = LineProfile(timerUnit: 1e-9, python: "3.11.7", command: [], functions: [once])
        #expect(LprofFile.encode(merged) == LprofFile.encode(single))
    }
}

/// Colours for -r/--rich: each token painted and reset, plain text left alone.
@Suite struct PythonHighlighterTests {
    func paint(_ text: String, _ code: String) -> String { "\u{1B}[\(code)m\(text)\u{1B}[0m" }

    @Test func tokensOfOneLine() {
        let line = PythonHighlighter.highlight(["    x = len(rb'a\\'b') + 0x1F + 2.5e-3  # why"])[0]
        #expect(line == "    x = " + paint("len", "36") + "(" + paint("rb'a\\'b'", "32") + ") + " + paint("0x1F", "33")
                + " + " + paint("2.5e-3", "33") + "  " + paint("# why", "90"))
    }

    @Test func definitionsKeywordsAndDecorators() {
        let lines = PythonHighlighter.highlight(["@functools.cache", "def fib(n):", "    return None if n else n_1"])
        #expect(lines[0] == paint("@functools.cache", "36"))
        #expect(lines[1] == paint("def", "35") + " " + paint("fib", "1;34") + "(n):")
        #expect(lines[2] == "    " + paint("return", "35") + " " + paint("None", "36") + " " + paint("if", "35") + " n "
                + paint("else", "35") + " n_1")
    }

    @Test func aTripleQuotedStringAcrossLines() {
        let lines = PythonHighlighter.highlight(["    s = \"\"\"one # not a comment", "two", "three\"\"\" + 'x'", "y = 1"])
        #expect(lines[0] == "    s = " + paint("\"\"\"one # not a comment", "32"))
        #expect(lines[1] == paint("two", "32"))
        #expect(lines[2] == paint("three\"\"\"", "32") + " + " + paint("'x'", "32"))
        #expect(lines[3] == "y = " + paint("1", "33"))
    }

    @Test func wordsThatStartLikeStringPrefixesAreWords() {
        #expect(PythonHighlighter.highlight(["bar(fr, rb)"])[0] == "bar(fr, rb)")
        #expect(PythonHighlighter.highlight(["for_ = 1"])[0] == "for_ = " + paint("1", "33"))
    }
}
