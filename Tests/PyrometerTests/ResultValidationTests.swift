import Foundation
import Testing
@testable import Pyrometer

@Suite struct ResultValidationTests {
    let profile = LineProfile(timerUnit: 1e-9, python: "3.12.1", command: ["x.py"], exitStatus: 0, functions: [
        FunctionTimings(name: "f", file: "/src/x.py", firstLine: 10,
                        lines: [LineTiming(line: 11, hits: 7, time: 700)], source: ["def f():", "    return 1"]),
    ])

    func refusal<Result: ToolResult>(_ value: Result, fileSize: Int = 1000) -> String? {
        do {
            try ResultFile.validate(value, fileSize: fileSize)
            return nil
        } catch {
            return (error as? PyrometerError)?.message ?? "\(error)"
        }
    }

    @Test func aRealProfilePasses() {
        #expect(refusal(profile) == nil)
    }

    @Test func lineNumbersAreBoundedByWhatPythonNumbersAndByTheFileSize() {
        var far = profile
        far.functions[0].lines[0].line = 1_000_000_000
        #expect(refusal(far) == "is a damaged pyrometer.lines file: 'functions.0' spans 999999991 lines; a file of this size holds at most 11000 table rows in all")
        far.functions[0].lines[0].line = Int(Int32.max) + 1
        #expect(refusal(far) == "is a damaged pyrometer.lines file: 'functions.0.lines.0.line' is 2147483648, not a line number (1 to 2147483647)")
        var near = profile
        near.functions[0].lines[0].line = 10_000  // 9,991 rows: within 11,000
        #expect(refusal(near) == nil)
    }

    @Test func sumsThatWouldTrapAreRefused() {
        var big = profile
        big.functions[0].lines = [LineTiming(line: 10, hits: 1, time: .max), LineTiming(line: 11, hits: 1, time: 1)]
        #expect(refusal(big) == "is a damaged pyrometer.lines file: 'functions.0.lines.*.time' add up to more than 9223372036854775807")
        big.functions[0].lines[0].time = .max - 1
        #expect(refusal(big) == nil)
    }

    @Test func negativeAndNonFiniteValuesAreRefused() {
        var negative = profile
        negative.functions[0].lines[0].hits = -1
        #expect(refusal(negative) == "is a damaged pyrometer.lines file: 'functions.0.lines.0.hits' is -1; it cannot be negative")
        var unit = profile
        unit.timerUnit = .nan
        #expect(refusal(unit) == "is a damaged pyrometer.lines file: 'timerUnit' must be a positive number of seconds")
    }

    @Test func timeitAndLeaksRules() {
        let statistics = SampleStatistics([1e-6, 2e-6])
        let statement = StatementTiming(statement: "pass", position: 1, loops: 10, times: [1e-6, 2e-6], statistics: statistics,
                                        relative: 1, pValue: nil, significant: nil, warnings: [])
        var result = TimeitResult(python: "3.12.1", timer: "perf_counter", setup: "pass", gcEnabled: false, warmup: 0,
                                  statements: [statement])
        #expect(refusal(result) == nil)
        result.statements[0].loops = 0
        #expect(refusal(result) == "is a damaged pyrometer.timeit file: 'statements.0.loops' is 0; it must be at least 1")
        result.statements[0].loops = 10
        result.statements[0].times = [.infinity]
        #expect(refusal(result) == "is a damaged pyrometer.timeit file: 'statements.0.times.0' is not a finite number")

        let leak = Leak(type: "T", counts: [1, 2], bytes: [10, 20], countGrowth: 1, bytesGrowth: 10, countGrows: true,
                        risingSteps: 3, steps: 1, sample: nil)
        let report = LeakReport(python: "3.12.1", command: [], mode: .calls, function: "m:f", interval: nil, points: [0, 1],
                                totalCounts: [1, 2], totalBytes: [10, 20], leaks: [leak], problem: nil)
        #expect(refusal(report) == "is a damaged pyrometer.leaks file: 'leaks.0.risingSteps' is 3; it must be between 0 and steps (1)")
    }

    @Test func controlCharactersAreEscapedAsPythonWritesThem() {
        #expect("a\u{1b}[2Jb\u{07}\u{08}\u{7f}\u{9b}".escapingControlCharacters() == #"a\x1b[2Jb\x07\x08\x7f\x9b"#)
        #expect("one\ntwo\r\tthree".escapingControlCharacters() == #"one\ntwo\r"# + "\tthree")
        #expect("one\ntwo\u{0}".escapingControlCharacters(keepingNewlines: true) == "one\ntwo" + #"\x00"#)
        #expect("plain é ⏎".escapingControlCharacters() == "plain é ⏎")
        #expect("<a href=\"x\">&'\u{1b}</a>".xmlEscaped == #"&lt;a href=&quot;x&quot;&gt;&amp;&apos;\x1b&lt;/a&gt;"#)
    }

    @Test func dotLabelsCarryNoControlBytes() {
        #expect(DotGraphReport.quote("T\u{1b}[1m\nx&y\"") == #"T\\x1b[1m\nx&amp;y\""#)
    }

    @Test func longFormattedNumbersAreNotCut() {
        let text = Text.format("%.0f", 1e300)
        #expect(text.count == 301 && text.hasPrefix("10000000000000000525047602552044202487044685811081591549158541"))
    }
}
