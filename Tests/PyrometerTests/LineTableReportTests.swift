import Testing
@testable import Pyrometer

/// The report is line_profiler's layout, to the character.
@Suite struct LineTableReportTests {
    let profile = LineProfile(timerUnit: 1e-9, python: "3.11.7", command: ["demo.py"], functions: [
        FunctionTimings(name: "demo", file: "/tmp/demo.py", firstLine: 3,
                        lines: [LineTiming(line: 4, hits: 1, time: 2_000),
                                LineTiming(line: 5, hits: 4, time: 6_000)],
                        source: ["def demo():", "    x = 1", "    for _ in range(3): x += 1", "    # done"]),
    ])

    @Test func rendersLineProfilersTable() {
        let expected = """
        Timer unit: 1e-06 s

        Total time: 8e-06 s
        File: /tmp/demo.py
        Function: demo at line 3

        Line #      Hits         Time  Per Hit   % Time  Line Contents
        ==============================================================
             3                                           def demo():
             4         1          2.0      2.0     25.0      x = 1
             5         4          6.0      1.5     75.0      for _ in range(3): x += 1
             6                                               # done


        """
        #expect(LineTableReport().render(profile) == expected)
    }

    @Test func outputUnitScalesTimes() {
        let text = LineTableReport(outputUnit: 1e-9).render(profile)
        #expect(text.hasPrefix("Timer unit: 1e-09 s\n"))
        #expect(text.contains("     5         4       6000.0   1500.0     75.0"))
    }

    @Test func wideNumbersWidenColumns() {
        var wide = profile
        wide.functions[0].lines = [LineTiming(line: 4, hits: 12_345_678_901, time: 98_765_432_109_876)]
        let text = LineTableReport().render(wide)
        #expect(text.contains("     4 1.23457e+10     9.88e+10      8.0    100.0      x = 1"))
        let header = text.split(separator: "\n").first { $0.hasPrefix("Line #") }!
        #expect(header == "Line #        Hits         Time  Per Hit   % Time  Line Contents")
    }

    @Test func functionNeverRunIsListedUnlessSkipped() {
        var idle = profile
        idle.functions[0].lines = []
        let text = LineTableReport().render(idle)
        #expect(text.contains("Total time: 0 s\n"))
        #expect(text.contains("     4                                               x = 1\n"))
        #expect(!LineTableReport(skipZero: true).render(idle).contains("Function: demo"))
    }

    @Test func linesBeyondTheSourceStillGetRows() {
        var noSource = profile
        noSource.functions[0].source = []
        let text = LineTableReport().render(noSource)
        #expect(text.contains("     5         4          6.0      1.5     75.0  \n"))
    }
}
