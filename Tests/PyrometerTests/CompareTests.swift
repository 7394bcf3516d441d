import Testing
@testable import Pyrometer

/// The `--fail-if` grammar and each tool's comparer, on hand-built results with known answers.
@Suite struct ChangeConditionTests {
    @Test func conditionsParseToMetricComparatorAndThreshold() throws {
        let relative = try ChangeCondition(parsing: "time>+5%")
        #expect(relative.scope == nil && relative.metric == "time" && relative.comparator == .greater)
        #expect(relative.relative && abs(relative.threshold - 0.05) < 1e-15 && relative.unitQuantity == nil)

        let bytes = try ChangeCondition(parsing: " peak > +10MB ")
        #expect(bytes.metric == "peak" && !bytes.relative && bytes.threshold == 10_000_000 && bytes.unitQuantity == .bytes)
        #expect(try ChangeCondition(parsing: "peak>=1.5MiB").threshold == 1.5 * 1_048_576)
        #expect(try ChangeCondition(parsing: "peak>=1.5MiB").comparator == .greaterOrEqual)

        let scoped = try ChangeCondition(parsing: "function.hits!=0")
        #expect(scoped.scope == "function" && scoped.metric == "hits" && scoped.comparator == .notEqual && scoped.threshold == 0)

        let time = try ChangeCondition(parsing: "line.time<=-2.5ms")
        #expect(time.comparator == .lessOrEqual && abs(time.threshold + 0.0025) < 1e-15 && time.unitQuantity == .seconds)
        #expect(try ChangeCondition(parsing: "own<3pt").unitQuantity == .percent)
        #expect(try ChangeCondition(parsing: "count==1e3").threshold == 1000)
        #expect(abs(try ChangeCondition(parsing: "time>20us").threshold - 20e-6) < 1e-18)
    }

    @Test func badConditionsAreOneLineErrors() {
        func message(_ text: String) -> String? {
            do { _ = try ChangeCondition(parsing: text); return nil } catch let error as PyrometerError { return error.message } catch { return "\(error)" }
        }
        #expect(message("time+5%") == "bad --fail-if condition 'time+5%': no comparison (one of > >= < <= == !=) (see 'pyrometer compare --help')")
        #expect(message("time=>5")?.contains("'=>' is not a comparison") == true)
        #expect(message(">5")?.contains("no metric before the comparison") == true)
        #expect(message("a.b.c>5")?.contains("'a.b.c' is not a metric") == true)
        #expect(message("time>")?.contains("no number after '>'") == true)
        #expect(message("time>1.2.3")?.contains("'1.2.3' is not a number") == true)
        #expect(message("peak>5parsecs")?.contains("unknown unit 'parsecs'") == true)
    }

    static let comparison = Comparison(compared: "pyrometer.lines", old: "a.json", new: "b.json", tables: [
        ComparisonTable(scope: "total", title: "Program", metrics: [ComparedMetric("time", .seconds), ComparedMetric("hits", .count)],
                        rows: [ComparisonRow(name: "all", values: [Change(old: 1.0, new: 1.04), Change(old: 10, new: 20)])]),
        ComparisonTable(scope: "function", title: "Functions", metrics: [ComparedMetric("time", .seconds), ComparedMetric("hits", .count)],
                        rows: [ComparisonRow(name: "f", values: [Change(old: 0.5, new: 0.6), Change(old: 0, new: 10)]),
                               ComparisonRow(name: "g", values: [Change(old: 0.5, new: 0.44), Change(old: 10, new: 10)])]),
    ])

    @Test func aBareMetricChecksTheTotalsAndAScopeItsTable() throws {
        let total = try ChangeCondition(parsing: "time>+5%").evaluate(on: Self.comparison)
        #expect(total.passed && total.checked == 1)
        let functions = try ChangeCondition(parsing: "function.time>+5%").evaluate(on: Self.comparison)
        #expect(!functions.passed && functions.checked == 2 && functions.failures == ["f: +100 msec (+20.0%)"])
        let absolute = try ChangeCondition(parsing: "function.time<-50ms").evaluate(on: Self.comparison)
        #expect(!absolute.passed && absolute.failures == ["g: -60 msec (-12.0%)"])
        // From 0 hits to 10 is an infinite relative growth.
        let fromZero = try ChangeCondition(parsing: "function.hits>+1000%").evaluate(on: Self.comparison)
        #expect(!fromZero.passed && fromZero.failures == ["f: +10 (new)"])
        #expect(try ChangeCondition(parsing: "hits==+10").evaluate(on: Self.comparison).passed == false)
    }

    @Test func unknownMetricsAndUnitsOfTheWrongKindAreErrors() {
        func message(_ text: String) -> String? {
            do { _ = try ChangeCondition(parsing: text).evaluate(on: Self.comparison); return nil } catch let error as PyrometerError { return error.message } catch { return "\(error)" }
        }
        #expect(message("peak>+5%") == "bad --fail-if condition 'peak>+5%': pyrometer.lines comparisons have no 'peak' (they have total.time, total.hits, function.time, function.hits)")
        #expect(message("line.time>+5%")?.contains("have no 'line.time'") == true)
        #expect(message("time>+5MB") == "bad --fail-if condition 'time>+5MB': time is in seconds, the threshold in bytes")
    }

    @Test func rowsJudgedNotSignificantNeverFail() throws {
        let noisy = Comparison(compared: "pyrometer.timeit", old: "a", new: "b", tables: [
            ComparisonTable(scope: "statement", title: "Statements", metrics: [ComparedMetric("time", .seconds)], rows: [
                ComparisonRow(name: "noisy", values: [Change(old: 1, new: 2, pValue: 0.3, significant: false)]),
                ComparisonRow(name: "real", values: [Change(old: 1, new: 1.5, pValue: 0.008, significant: true)]),
                ComparisonRow(name: "only old", values: [Change(old: 1, new: nil)]),
            ])])
        // A row known on one side only sorts by the value it has.
        #expect(noisy.tables[0].rows.map(\.name) == ["noisy", "only old", "real"])
        let outcome = try ChangeCondition(parsing: "time>+5%").evaluate(on: noisy)
        #expect(outcome.checked == 1 && outcome.failures == ["real: +500 msec (+50.0%)"])
    }
}

@Suite struct ComparerTests {
    static func lines(_ directory: String, workHits: Int64, extra: Bool) -> LineProfile {
        var functions = [FunctionTimings(name: "work", file: "\(directory)/prog.py", firstLine: 1, lines: [
            LineTiming(line: 2, hits: workHits, time: workHits * 100),
            LineTiming(line: 3, hits: workHits, time: workHits * 50)], source: ["def work(n):", "    for i in range(n):", "        pass"])]
        if extra {
            functions.append(FunctionTimings(name: "extra", file: "\(directory)/prog.py", firstLine: 5, lines: [
                LineTiming(line: 6, hits: 1, time: 7000)], source: ["def extra():", "    return 1"]))
        }
        return LineProfile(timerUnit: 1e-9, python: "3.12.1", command: ["prog.py"], exitStatus: 0, functions: functions)
    }

    @Test func linesMatchFunctionsByNameAndFileNameAcrossCheckouts() {
        let tables = LineProfile.comparisonTables(old: Self.lines("/base", workHits: 1000, extra: false),
                                                  new: Self.lines("/change", workHits: 2000, extra: true))
        #expect(tables.map(\.scope) == ["total", "function", "line"])
        let total = tables[0].rows[0].values
        #expect(total[1].old == 2000 && total[1].new == 4001 && total[1].change == 2001)
        #expect(abs(total[0].old! - 150e-6) < 1e-12 && abs(total[0].new! - 307e-6) < 1e-12)
        let work = tables[1].row("work")!
        #expect(work.place == "prog.py:1" && work.values[1].change == 2000 && abs(work.values[0].change! - 150e-6) < 1e-12)
        let extra = tables[1].row("extra")!
        #expect(extra.values[0].old == 0 && extra.values[1].old == 0 && extra.values[1].new == 1)
        // Largest change of time first.
        #expect(tables[1].rows.map(\.name) == ["work", "extra"])
        let loop = tables[2].row("prog.py:2")!
        #expect(loop.place == "work: for i in range(n):" && loop.values[1].old == 1000 && loop.values[1].new == 2000)
        #expect(tables[2].rows.count == 3)
    }

    @Test func memoryComparesPeaksLinesAndWhatThePeakHeld() {
        func profile(peak: Int64, increment: Int64, top: [LineHolding]) -> MemoryProfile {
            MemoryProfile(python: "3.12.1", command: ["m.py"], peakTraced: peak, peakResident: 2 * peak, finalTraced: 0, allocations: 10,
                          functions: [FunctionMemory(name: "build", file: "/x/m.py", firstLine: 1, lines: [
                            LineMemory(line: 2, occurrences: 1, increment: increment, resident: 0, peak: increment)],
                          source: ["def build():", "    data = make()"])],
                          topAtEnd: [], topAtPeak: top, peakStack: [], timeline: MemoryTimeline(samples: [], calls: []))
        }
        let held = LineHolding(file: "/x/m.py", line: 2, function: "build", bytes: 8 << 20, count: 1)
        let other = LineHolding(file: "/x/m.py", line: 9, function: "<module>", bytes: 1 << 20, count: 4)
        let tables = MemoryProfile.comparisonTables(old: profile(peak: 10 << 20, increment: 8 << 20, top: [held]),
                                                    new: profile(peak: 26 << 20, increment: 24 << 20, top: [other, held]))
        let program = tables[0]
        #expect(program.metrics.map(\.name) == ["peak", "resident", "final", "allocations"])
        #expect(program.rows[0].values[0].change == Double(16 << 20) && program.rows[0].values[0].relative == 1.6)
        #expect(tables[1].row("m.py:2")!.values[0].change == Double(16 << 20))
        #expect(tables[1].row("m.py:2")!.place == "build: data = make()")
        // A place in one top list only held less than the other list's last line: 0 there.
        let newPlace = tables[2].row("m.py:9")!
        #expect(newPlace.values[0].old == 0 && newPlace.values[0].change == Double(1 << 20) && newPlace.values[1].change == 4)
        // Without a list on one side, nothing is known there.
        let unlisted = MemoryProfile.comparisonTables(old: profile(peak: 10 << 20, increment: 8 << 20, top: []),
                                                      new: profile(peak: 26 << 20, increment: 24 << 20, top: [other]))
        #expect(unlisted[2].row("m.py:9")!.values[0].old == nil && unlisted[2].row("m.py:9")!.values[0].change == nil)
        #expect(tables[2].row("m.py:2")!.values[0].change == 0)
    }

    static func timeit(_ statements: [(String, [Double])], timer: String = "perf_counter") -> TimeitResult {
        TimeitResult(python: "3.12.1", timer: timer, setup: "pass", gcEnabled: false, warmup: 1, statements: statements.enumerated().map { index, item in
            StatementTiming(statement: item.0, position: index + 1, loops: 100, times: item.1, statistics: SampleStatistics(item.1),
                            relative: 1, pValue: nil, significant: nil, warnings: [])
        })
    }

    @Test func timeitTestsEachStatementWithMannWhitney() {
        let old = Self.timeit([("a", [1, 2, 3, 4, 5]), ("b", [1, 3, 5, 7, 9]), ("once", [1])])
        let new = Self.timeit([("a", [6, 7, 8, 9, 10]), ("b", [2, 4, 6, 8, 10]), ("once", [2])], timer: "process_time")
        let comparison = Comparison(compared: TimeitResult.format, old: "o", new: "n", tables: TimeitResult.comparisonTables(old: old, new: new))
        let a = comparison.table("statement")!.row("a")!.values[0]
        #expect(a.old == 1 && a.new == 6 && abs(a.pValue! - 0.007936507936507936) < 1e-12 && a.significant == true)
        let b = comparison.table("statement")!.row("b")!.values[0]
        #expect(abs(b.pValue! - 0.6904761904761905) < 1e-12 && b.significant == false)
        let once = comparison.table("statement")!.row("once")!.values[0]
        #expect(once.pValue == nil && once.significant == nil && once.relative == 1)
        #expect(TimeitResult.differences(old: old, new: new) == ["the runs used different timers: perf_counter (old), process_time (new)"])
    }

    @Test func leaksCompareTotalsAndEachGrowingType() {
        func leak(_ type: String, _ counts: [Int], growth: Double) -> Leak {
            Leak(type: type, counts: counts, bytes: counts.map { $0 * 56 }, countGrowth: growth, bytesGrowth: growth * 56,
                 countGrows: true, risingSteps: counts.count - 1, steps: counts.count - 1, sample: nil)
        }
        let old = LeakReport(python: "3.12.1", command: [], mode: .calls, function: "m:f", interval: nil, points: [0, 1, 2],
                             totalCounts: [100, 110, 120], totalBytes: [1000, 1100, 1200], leaks: [leak("Node", [10, 20, 30], growth: 10)], problem: nil)
        let new = LeakReport(python: "3.12.1", command: [], mode: .calls, function: "m:f", interval: nil, points: [0, 1, 2],
                             totalCounts: [100, 130, 160], totalBytes: [1000, 1300, 1600],
                             leaks: [leak("Node", [10, 30, 50], growth: 20), leak("dict", [1, 2, 3], growth: 1)], problem: nil)
        let tables = LeakReport.comparisonTables(old: old, new: new)
        #expect(tables[0].rows[0].values.map(\.change) == [40, 400, 1])
        let node = tables[1].row("Node")!.values
        #expect(node[0].old == 30 && node[0].new == 50 && node[1].change == 20 * 56 && node[2].change == 10)
        let dict = tables[1].row("dict")!.values
        #expect(dict[0].old == nil && dict[0].change == nil && dict[2].old == 0 && dict[2].new == 1)
    }

    @Test func sampleSharesWithATwoProportionTest() {
        func profile(hot: Int64, cold: Int64) -> SampleProfile {
            var aggregate = StackAggregate()
            let thread = aggregate.thread(SampledThread(id: 1, name: "MainThread"))
            let module = aggregate.frame(SampledFrame(function: "<module>", file: "/a/s.py", line: 9, firstLine: 1))
            let hotFrame = aggregate.frame(SampledFrame(function: "hot", file: "/a/s.py", line: 3, firstLine: 2))
            let coldFrame = aggregate.frame(SampledFrame(function: "cold", file: "/a/s.py", line: 6, firstLine: 5))
            for _ in 0..<hot { aggregate.add(frames: [module, hotFrame], thread: thread, nanoseconds: 1000) }
            for _ in 0..<cold { aggregate.add(frames: [module, coldFrame], thread: thread, nanoseconds: 1000) }
            return SampleProfile(python: "3.12.1", command: ["s.py"], mode: "cpu", idle: false, requestedRate: 100, rate: 100,
                                 duration: 1, samplesExpected: 100, samplesTaken: aggregate.samples, samplesDropped: [:],
                                 frames: aggregate.frames, stacks: aggregate.stacks, threads: aggregate.threads, sources: [:])
        }
        let tables = SampleProfile.comparisonTables(old: profile(hot: 50, cold: 50), new: profile(hot: 70, cold: 30))
        let hot = tables[1].row("hot")!
        #expect(hot.place == "s.py:2")
        #expect(hot.values[0].old == 50 && hot.values[0].new == 70 && hot.values[0].change == 20)
        #expect(abs(hot.values[0].pValue! - 0.003892417122778627) < 1e-9 && hot.values[0].significant == true)
        let module = tables[1].row("<module>")!
        #expect(module.values[1].old == 100 && module.values[1].change == 0 && module.values[1].significant == false)
        #expect(tables[0].rows[0].values[0].change == 0)
    }

    @Test func numbersPrintInTheirUnits() {
        #expect(ChangeFormat.value(0.00153, .seconds) == "1.53 msec")
        #expect(ChangeFormat.value(1e300, .seconds) == "1e+300 sec")
        #expect(ChangeFormat.change(Change(old: 1_048_576, new: 3_145_728), .bytes) == "+2.0 MiB (+200.0%)")
        #expect(ChangeFormat.change(Change(old: 2048, new: 0), .bytes) == "-2.0 KiB (-100.0%)")
        #expect(ChangeFormat.value(1e30, .bytes) == "9.31e+20 GiB")
        #expect(ChangeFormat.change(Change(old: 1000, new: 1_234_567), .count) == "+1,233,567 (+123357%)")
        #expect(ChangeFormat.change(Change(old: 12.5, new: 10), .percent) == "-2.5 pt (-20.0%)")
        #expect(ChangeFormat.change(Change(old: 3, new: 3), .count) == "0")
        #expect(ChangeFormat.change(Change(old: nil, new: 3), .count) == "-")
    }

    @Test func theReportShowsRowsLargestChangeFirstAndTheConditions() throws {
        var comparison = ChangeConditionTests.comparison
        comparison.conditions = [try ChangeCondition(parsing: "function.time>+5%").evaluate(on: comparison),
                                 try ChangeCondition(parsing: "hits>+200%").evaluate(on: comparison)]
        let text = ComparisonTextReport(top: 1).render(comparison)
        #expect(text.hasPrefix("pyrometer compare: pyrometer.lines, a.json -> b.json\n"))
        #expect(text.contains("""
        Functions (by change of time)
          Time old  Time new              Change  Hits old  Hits new     Change  Function
          500 msec  600 msec  +100 msec (+20.0%)         0        10  +10 (new)  f
          ... 1 more (--top)
        """))
        #expect(text.contains("  FAIL  function.time>+5%  (1 of 2 rows checked)\n          f: +100 msec (+20.0%)\n"))
        #expect(text.contains("  pass  hits>+200%         (1 row checked)\n"))
        #expect(text.hasSuffix("1 of 2 conditions failed.\n"))
    }
}
