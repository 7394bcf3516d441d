import Testing
@testable import Pyrometer

@Suite struct AllocationTableTests {
    @Test func insertsAndRemovesThroughGrowth() {
        var table = AllocationTable(capacity: 8)
        let addresses = (1...10_000).map { UInt($0) * 48 }
        for (index, address) in addresses.enumerated() { table.insert(address, size: index + 1, site: UInt32(index % 7)) }
        #expect(table.count == 10_000)
        for (index, address) in addresses.enumerated() where index % 2 == 0 {
            let removed = table.remove(address)
            #expect(removed?.size == index + 1 && removed?.site == UInt32(index % 7))
        }
        #expect(table.count == 5_000)
        // Every survivor is still found after the deletions shifted entries around.
        for (index, address) in addresses.enumerated() where index % 2 == 1 {
            #expect(table.remove(address)?.size == index + 1)
        }
        #expect(table.count == 0)
        #expect(table.remove(48) == nil)
    }

    @Test func largeSizesAndSitesFitTheirFields() {
        var table = AllocationTable()
        table.insert(0x7f00_0000_1000, size: 300 << 30, site: 0xFF_FFFF)
        let removed = table.remove(0x7f00_0000_1000)
        #expect(removed?.size == 300 << 30)
        #expect(removed?.site == 0xFF_FFFF)
    }

    @Test func aReusedAddressReplacesItsEntry() {
        var table = AllocationTable()
        table.insert(4096, size: 10, site: 1)
        table.insert(4096, size: 20, site: 2)
        #expect(table.count == 1)
        #expect(table.remove(4096)?.size == 20)
    }
}

@Suite struct MemoryTableReportTests {
    let profile = MemoryProfile(
        python: "3.12.1", command: ["demo.py"], peakTraced: 105 << 20, peakResident: 140 << 20,
        finalTraced: 1 << 20, allocations: 42,
        functions: [FunctionMemory(name: "f", file: "/tmp/demo.py", firstLine: 1, lines: [
            LineMemory(line: 1, occurrences: 2, increment: 0, resident: 35 << 20, peak: 0),
            LineMemory(line: 3, occurrences: 2, increment: 200 << 20, resident: 135 << 20, peak: 100 << 20),
            LineMemory(line: 4, occurrences: 2, increment: -(200 << 20), resident: 135 << 20, peak: 0),
        ], source: ["@profile", "def f():", "    a = bytearray(100 * 2**20)", "    del a"])],
        topAtEnd: [LineHolding(file: "/tmp/demo.py", line: 9, function: "<module>", bytes: 1 << 20, count: 3)],
        topAtPeak: [], peakStack: [StackFrame(file: "/tmp/demo.py", line: 3, function: "f"),
                                   StackFrame(file: "/tmp/demo.py", line: 6, function: "<module>")],
        timeline: MemoryTimeline(samples: [], calls: []))

    @Test func memoryProfilersTable() {
        let text = MemoryTableReport().render(profile)
        let expected = """
        Filename: /tmp/demo.py

        Line #    Mem usage    Increment  Occurrences   Line Contents
        =============================================================
             1   35.000 MiB    0.000 MiB           2   @profile
             2                                         def f():
             3  135.000 MiB  200.000 MiB           2       a = bytearray(100 * 2**20)
             4  135.000 MiB -200.000 MiB           2       del a


        Peak traced memory: 105.000 MiB; peak RSS: 140.000 MiB; still traced at exit: 1.000 MiB; 42 allocations traced
        Peak reached in (most recent call last):
          File "/tmp/demo.py", line 6, in <module>
          File "/tmp/demo.py", line 3, in f

        """
        #expect(text == expected)
    }

    @Test func peakColumnUnitsAndTopLists() {
        let text = MemoryTableReport(unit: .kib, showPeak: true, top: 2).render(profile)
        // The amount columns widen together for figures longer than 12 characters.
        #expect(text.contains("Line #       Mem usage       Increment            Peak  Occurrences   Line Contents"))
        #expect(text.contains("     3  138240.000 KiB  204800.000 KiB  102400.000 KiB           2"))
        #expect(text.contains("Top 2 lines by memory held at the end:\n          Size  Allocations  Line\n  1024.000 KiB            3  /tmp/demo.py:9 (<module>)\n"))
        #expect(text.contains("Top 2 lines by memory held at the peak:\n  (nothing held)\n"))
        #expect(MemoryTableReport(unit: .bytes).amount(1234) == "1234 B")
    }

    @Test func precisionSetsTheDigitsOfTheTable() {
        let text = MemoryTableReport(precision: 1).render(profile)
        #expect(text.contains("     3    135.0 MiB    200.0 MiB           2       a = bytearray(100 * 2**20)"))
        // The summary keeps its three digits.
        #expect(text.contains("Peak traced memory: 105.000 MiB;"))
        let none = MemoryTableReport(precision: 0).render(profile)
        #expect(none.contains("     4      135 MiB     -200 MiB           2       del a"))
    }

    @Test func plotHasBothSeriesAndCallBands() {
        var withTimeline = profile
        withTimeline.timeline = MemoryTimeline(
            samples: [.init(time: 0, resident: 30 << 20, traced: 1 << 20), .init(time: 1, resident: 130 << 20, traced: 101 << 20)],
            calls: [.init(function: "f", start: 0.2, end: 0.8)])
        let svg = MemoryPlot().svg(withTimeline)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("<polyline id=\"resident\""))
        #expect(svg.contains("<polyline id=\"traced\""))
        #expect(svg.contains("class=\"call\" data-function=\"f\""))
        #expect(svg.hasSuffix("</svg>\n"))
    }
}
