import Testing
@testable import Pyrometer

@Suite struct TimingStatisticsTests {
    @Test func summaryStatistics() {
        let s = SampleStatistics([2, 4, 4, 4, 5, 5, 7, 9])
        #expect(s.best == 2)
        #expect(s.worst == 9)
        #expect(s.median == 4.5)
        #expect(s.mean == 5)
        #expect(abs(s.standardDeviation - 2.138089935299395) < 1e-12)
        #expect(SampleStatistics([3, 1, 2]).median == 2)
        #expect(SampleStatistics([7]).standardDeviation == 0)
    }

    // Expected p-values from scipy.stats.mannwhitneyu on the same samples.
    @Test func mannWhitneyExact() {
        let separated = MannWhitney.test([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
        #expect(separated.u == 0)
        #expect(abs(separated.pValue - 0.007936507936507936) < 1e-12)
        let interleaved = MannWhitney.test([1, 3, 5, 7, 9], [2, 4, 6, 8, 10])
        #expect(interleaved.u == 10)
        #expect(abs(interleaved.pValue - 0.6904761904761905) < 1e-12)
        let unequal = MannWhitney.test([1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7], [2.5, 3.5, 8.5, 9.5])
        #expect(unequal.u == 9)
        #expect(abs(unequal.pValue - 0.4121212121212121) < 1e-12)
    }

    @Test func mannWhitneyNormalApproximation() {
        let ties = MannWhitney.test([1, 2, 2, 3, 4], [2, 3, 5, 6, 7])
        #expect(ties.u == 4.5)
        #expect(abs(ties.pValue - 0.11161176829829224) < 1e-9)
        let large = MannWhitney.test((0..<40).map(Double.init), (0..<40).map { Double($0) + 10.5 })
        #expect(large.u == 435)
        #expect(abs(large.pValue - 0.00045250348643015396) < 1e-9)
    }

    @Test func comparisonRanksByBestAndTestsAgainstTheFastest() {
        let compared = TimeitBenchmark.compare([
            .init(statement: "slow", position: 1, loops: 10, times: [3.0, 3.1, 3.2, 3.3, 3.4]),
            .init(statement: "fast", position: 2, loops: 20, times: [1.0, 1.1, 1.2, 1.3, 1.4]),
            .init(statement: "fast too", position: 3, loops: 20, times: [1.05, 1.15, 1.25, 1.35, 1.45]),
        ])
        #expect(compared.map(\.statement) == ["fast", "fast too", "slow"])
        #expect(compared[0].relative == 1 && compared[0].pValue == nil && compared[0].significant == nil)
        #expect(abs(compared[2].relative - 3.0) < 1e-12)
        #expect(compared[2].significant == true)
        #expect(abs(compared[2].pValue! - 0.007936507936507936) < 1e-12)
        #expect(compared[1].significant == false)
    }

    @Test func aSmallDifferenceIsNotSignificantHoweverSmallItsPValue() {
        // Completely separated samples (p = 0.008), but only 3% apart: what two
        // copies of one statement can show.
        let compared = TimeitBenchmark.compare([
            .init(statement: "a", position: 1, loops: 10, times: [1.000, 1.002, 1.004, 1.006, 1.008]),
            .init(statement: "b", position: 2, loops: 10, times: [1.030, 1.031, 1.032, 1.033, 1.034]),
        ])
        #expect(compared[1].pValue! < 0.01 && abs(compared[1].relative - 1.03) < 1e-12)
        #expect(compared[1].significant == false)
        #expect(TimeitTextReport().comparison(compared[1], isFastest: false) == "1.03x slower (not significant: under 5% slower)")
        let clear = TimeitBenchmark.compare([
            .init(statement: "a", position: 1, loops: 10, times: [1.00, 1.01, 1.02, 1.03, 1.04]),
            .init(statement: "b", position: 2, loops: 10, times: [1.06, 1.07, 1.08, 1.09, 1.10]),
        ])
        #expect(clear[1].significant == true)
        #expect(TimeitTextReport().comparison(clear[1], isFastest: false) == "1.06x slower")
    }

    @Test func verboseLogIsTimeits() {
        let log = StatementLog(position: 1, statement: "x", loops: 20,
                               calibration: [.init(loops: 1, seconds: 1.234e-6), .init(loops: 2, seconds: 2.5e-6),
                                             .init(loops: 5, seconds: 0.00012345), .init(loops: 10, seconds: 0.25)],
                               rawTimes: [0.2501, 0.26, 1.5])
        #expect(TimeitVerboseReport(verbosity: 1).render([log]) == """
        1 loop -> 1.23e-06 secs
        2 loops -> 2.5e-06 secs
        5 loops -> 0.000123 secs
        10 loops -> 0.25 secs

        raw times: 250 msec, 260 msec, 1.5 sec


        """)
        // -vv: one more digit; -u: the unit asked for; -n: no calibration.
        var given = log
        given.calibration = []
        #expect(TimeitVerboseReport(verbosity: 2, unit: "msec").render([given]) == "raw times: 250.1 msec, 260 msec, 1500 msec\n\n")
        var second = given
        second.position = 2
        second.statement = "y = 1\ny"
        #expect(TimeitVerboseReport(verbosity: 1).render([given, second]) == """
        statement 1: x
        raw times: 250 msec, 260 msec, 1.5 sec

        statement 2: y = 1 ⏎ y
        raw times: 250 msec, 260 msec, 1.5 sec


        """)
    }

    @Test func singleRepeatsAreNotTested() {
        let compared = TimeitBenchmark.compare([
            .init(statement: "a", position: 1, loops: 1, times: [2]),
            .init(statement: "b", position: 2, loops: 1, times: [1]),
        ])
        #expect(compared[1].pValue == nil && compared[1].significant == nil)
        #expect(TimeitTextReport().comparison(compared[1], isFastest: false) == "2.00x slower (untested: one repeat)")
    }

    @Test func instabilityWarnings() {
        #expect(TimeitBenchmark.instability(SampleStatistics([1.0, 1.01, 1.02])).isEmpty)
        let noisy = TimeitBenchmark.instability(SampleStatistics([1.0, 1.5, 2.0, 5.0]))
        #expect(noisy.count == 3)
        #expect(noisy[1] == "the worst time (5 sec) was more than four times slower than the best time (1 sec)")
    }

    @Test func timeFormatFollowsTimeit() {
        #expect(TimeFormat.auto(4.123e-7) == "412 nsec")
        #expect(TimeFormat.auto(1.5e-6) == "1.5 usec")
        #expect(TimeFormat.auto(0.25) == "250 msec")
        #expect(TimeFormat.auto(3) == "3 sec")
        #expect(TimeFormat.format(2.5e-6, unit: ("nsec", 1e-9)) == "2500 nsec")
    }

    @Test func reportForOneStatementIsTimeitsLine() {
        let statements = TimeitBenchmark.compare([.init(statement: "x", position: 1, loops: 50_000, times: [4.1e-6, 4.2e-6, 4.0e-6])])
        let result = TimeitResult(python: "3.12.1", timer: "perf_counter", setup: "pass", gcEnabled: false, warmup: 1, statements: statements)
        #expect(TimeitTextReport().render(result) == "50000 loops, best of 3: 4 usec per loop\nmedian 4.1 usec, mean 4.1 usec ± 0.1 usec\n")
    }

    @Test func comparisonTable() {
        let statements = TimeitBenchmark.compare([
            .init(statement: "merge(x, y)", position: 1, loops: 100, times: [2e-7, 2e-7, 2e-7]),
            .init(statement: "{**x, **y}", position: 2, loops: 200, times: [1e-7, 1e-7, 1e-7]),
        ])
        let result = TimeitResult(python: "3.12.1", timer: "perf_counter", setup: "x = {}\ny = {}", gcEnabled: false, warmup: 1, statements: statements)
        let expected = """
        setup: x = {} ⏎ y = {}

        #  statement    loops x repeats      best    median     mean ± std dev  vs fastest
        2  {**x, **y}           200 x 3  100 nsec  100 nsec  100 nsec ± 0 nsec  fastest
        1  merge(x, y)          100 x 3  200 nsec  200 nsec  200 nsec ± 0 nsec  2.00x slower

        vs fastest: ratio of best times; significant = Mann-Whitney U p < 0.05 over the interleaved repeats and at least 5% slower

        """
        #expect(TimeitTextReport().render(result) == expected)
    }

    @Test func loopTemplateIndentsSetupAndStatement() {
        let source = StatementTimer.template(statement: "a = 1\nb = a", setup: "import os\nx = 2")
        #expect(source.contains("\n    import os\n    x = 2\n"))
        #expect(source.contains("    for _pyrometer_i in _pyrometer_loops:\n        a = 1\n        b = a\n"))
    }

    @Test func badCountsAreRefused() {
        #expect(throws: PyrometerError.self) { try TimeitOptions(statements: ["pass"], number: 0).validate() }
        #expect(throws: PyrometerError.self) { try TimeitOptions(statements: ["pass"], repeats: -1).validate() }
        #expect(throws: PyrometerError.self) { try TimeitOptions(statements: ["pass"], warmup: -2).validate() }
        #expect(throws: Never.self) { try TimeitOptions(statements: ["pass"], number: 1, repeats: 1).validate() }
    }
}
