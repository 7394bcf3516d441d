import Testing
@testable import Pyrometer

/// Samples into stacks, the summary's arithmetic, and the checks of a profile read from a file.
@Suite struct SampleTests {
    static func profile(_ aggregate: StackAggregate) -> SampleProfile {
        SampleProfile(python: "3.11.7", command: ["demo.py"], mode: "cpu", idle: false, requestedRate: 1000, rate: 1000,
                      duration: 1, samplesExpected: 10, samplesTaken: aggregate.samples,
                      samplesDropped: ["torn": 1, "codeFreed": 0, "bufferFull": 0],
                      frames: aggregate.frames, stacks: aggregate.stacks, threads: aggregate.threads, sources: [:])
    }

    /// module -> fib -> fib -> fib (recursion) six times, module -> other four times.
    static var recursive: StackAggregate {
        var aggregate = StackAggregate()
        let thread = aggregate.thread(SampledThread(id: 1, name: "MainThread"))
        let module = aggregate.frame(SampledFrame(function: "<module>", file: "/tmp/demo.py", line: 9, firstLine: 1))
        let outer = aggregate.frame(SampledFrame(function: "fib", file: "/tmp/demo.py", line: 4, firstLine: 2))
        let inner = aggregate.frame(SampledFrame(function: "fib", file: "/tmp/demo.py", line: 3, firstLine: 2))
        let other = aggregate.frame(SampledFrame(function: "other", file: "/tmp/demo.py", line: 7, firstLine: 6))
        for _ in 0..<6 { aggregate.add(frames: [module, outer, outer, inner], thread: thread, nanoseconds: 1_000_000) }
        for _ in 0..<4 { aggregate.add(frames: [module, other], thread: thread, nanoseconds: 1_000_000) }
        return aggregate
    }

    @Test func equalSamplesShareAStackAndFramesAreDistinct() {
        let aggregate = Self.recursive
        #expect(aggregate.samples == 10)
        #expect(aggregate.frames.count == 4)
        #expect(aggregate.stacks.count == 2)
        #expect(aggregate.stacks[0].samples == 6 && aggregate.stacks[0].nanoseconds == 6_000_000)
        #expect(aggregate.stacks[0].frames == [0, 1, 1, 2])
    }

    @Test func aStackOnAnotherThreadIsAnotherStack() {
        var aggregate = Self.recursive
        let worker = aggregate.thread(SampledThread(id: 2, name: "worker"))
        aggregate.add(frames: [0, 3], thread: worker, nanoseconds: 5)
        #expect(aggregate.stacks.count == 3 && aggregate.stacks[2].thread == 1)
    }

    @Test func recursionCountsOncePerSampleInTotal() {
        let totals = SampleTotals(Self.profile(Self.recursive))
        #expect(totals.samples == 10)
        let fib = totals.functions.first { $0.function == "fib" }!
        #expect(fib.own == 6 && fib.total == 6)
        let module = totals.functions.first { $0.function == "<module>" }!
        #expect(module.own == 0 && module.total == 10)
        #expect(totals.functions.map(\.function) == ["fib", "other", "<module>"])
        #expect(totals.lines.map(\.line) == [3, 7])
        #expect(totals.lines.map(\.samples) == [6, 4])
    }

    @Test func summaryShowsCountsAndPercentages() {
        let text = SampleSummaryReport().render(Self.profile(Self.recursive))
        #expect(text.contains("Samples: 10 taken of 10 expected (100.0%), over 1.00 s, 1 thread\n"))
        #expect(text.contains("Dropped: 1 (bufferFull 0, codeFreed 0, torn 1)\n"))
        #expect(text.contains("    6  60.0%      6    60.0%  fib       demo.py:2\n"))
        #expect(text.contains("    0   0.0%     10   100.0%  <module>  demo.py:1\n"))
        #expect(text.contains("        6  60.0%  demo.py:3  fib"))
    }

    @Test func countsHaveThousandsSeparators() {
        #expect(SampleSummaryReport.count(0) == "0")
        #expect(SampleSummaryReport.count(999) == "999")
        #expect(SampleSummaryReport.count(1000) == "1,000")
        #expect(SampleSummaryReport.count(1234567) == "1,234,567")
        #expect(SampleSummaryReport.percent(1, of: 3) == "33.3%")
        #expect(SampleSummaryReport.percent(1, of: 0) == "-")
    }

    @Test func validateAcceptsAProfileAndRefusesBrokenOnes() throws {
        let good = Self.profile(Self.recursive)
        try ResultFile.validate(good, fileSize: 1_000)
        var bad = good
        bad.stacks[0].frames.append(99)
        #expect(throws: PyrometerError.self) { try ResultFile.validate(bad, fileSize: 1_000) }
        bad = good
        bad.stacks[1].thread = -1
        #expect(throws: PyrometerError.self) { try ResultFile.validate(bad, fileSize: 1_000) }
        bad = good
        bad.stacks[0].nanoseconds = -5
        #expect(throws: PyrometerError.self) { try ResultFile.validate(bad, fileSize: 1_000) }
        bad = good
        bad.stacks[0].samples = Int64.max
        #expect(throws: PyrometerError.self) { try ResultFile.validate(bad, fileSize: 1_000) }
        bad = good
        bad.rate = .nan
        #expect(throws: PyrometerError.self) { try ResultFile.validate(bad, fileSize: 1_000) }
        bad = good
        bad.samplesDropped = ["torn": -1]
        #expect(throws: PyrometerError.self) { try ResultFile.validate(bad, fileSize: 1_000) }
    }

    @Test func optionsAreChecked() {
        #expect(SamplerOptions().problem() == nil)
        #expect(SamplerOptions(rate: 0).problem() != nil)
        #expect(SamplerOptions(rate: .infinity).problem() != nil)
        #expect(SamplerOptions(rate: 60_000).problem() != nil)
        #expect(SamplerOptions(duration: 0).problem() != nil)
        #expect(SamplerOptions(mode: .wall).everyTick && SamplerOptions(idle: true).everyTick && !SamplerOptions().everyTick)
    }
}
