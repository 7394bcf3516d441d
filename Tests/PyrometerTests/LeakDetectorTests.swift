import Testing
@testable import Pyrometer

@Suite struct TrendTestTests {
    @Test func exactPValuesWithoutTies() {
        // Four values in rising order: 1 of the 4! orders, S = 6.
        #expect(abs(TrendTest.rising([1, 2, 3, 4], at: [0, 1, 2, 3]).pValue - 1.0 / 24) < 1e-12)
        // S ≥ 4 of four values: no inversion or one (1 + 3 of 24 orders).
        #expect(abs(TrendTest.exactPValue(s: 4, n: 4) - 4.0 / 24) < 1e-12)
        #expect(abs(TrendTest.exactPValue(s: 3, n: 3) - 1.0 / 6) < 1e-12)
        // S ≥ −N always holds; S ≥ 0 holds for half the orders of 4 values, and
        // S = 0 cannot happen when the number of pairs is odd (n = 3: S ≥ 1 is half).
        #expect(TrendTest.exactPValue(s: -6, n: 4) == 1)
        #expect(abs(TrendTest.exactPValue(s: 0, n: 4) - 0.625) < 1e-12)
        #expect(abs(TrendTest.exactPValue(s: 1, n: 3) - 0.5) < 1e-12)
        // Ten values rising: p = 1/10!.
        #expect(abs(TrendTest.exactPValue(s: 45, n: 10) - 1 / 3_628_800.0) < 1e-15)
    }

    @Test func tiesUseTheCorrectedNormalApproximation() {
        // [0, 1, 1, 2]: S = 5, variance (4·3·13 − 2·1·9)/18 = 23/3, z = 4/√(23/3).
        let outcome = TrendTest.rising([0, 1, 1, 2], at: [0, 1, 2, 3])
        #expect(outcome.s == 5)
        #expect(abs(outcome.pValue - 0.0743) < 0.0005)
        // A constant series has no trend at all.
        #expect(TrendTest.rising([7, 7, 7, 7, 7], at: [0, 1, 2, 3, 4]).pValue == 1)
    }

    @Test func theilSenSlopeIsTheMedianPairwiseSlope() {
        #expect(TrendTest.rising([1, 3, 5, 7], at: [0, 1, 2, 3]).slope == 2)
        // One wild census does not move it.
        #expect(TrendTest.rising([0, 2, 4, 100, 8, 10], at: [0, 1, 2, 3, 4, 5]).slope == 2)
        // Per second, from uneven times.
        #expect(TrendTest.rising([0, 10, 30], at: [0, 0.5, 1.5]).slope == 20)
    }
}

@Suite struct LeakDetectorTests {
    let calls30 = (0...30).map(Double.init)

    func verdict(_ series: [Int], floor: Int = LeakCriteria.defaultMinObjects) -> LeakDetector.Verdict {
        let skip = LeakDetector.skipped(series.count)
        return LeakDetector.judge(Array(series.dropFirst(skip)), at: Array((0..<series.count).map(Double.init).dropFirst(skip)),
                                  floor: floor)
    }

    @Test func noVerdictFromFewerCensusesThanTheTrendNeeds() {
        #expect(LeakDetector.minimumJudged() == 4)
        #expect(LeakDetector.minimumCensuses() == 4)
        #expect(LeakDetector.minimumCensuses(confidence: 0.99) == 5)
        #expect(LeakDetector.judge([100, 200, 300], at: [0, 1, 2], floor: 1).grows == false)
        #expect(LeakDetector.judge([100, 200, 300, 400], at: [0, 1, 2, 3], floor: 1).grows == true)
        #expect(LeakDetector.notEnoughCensuses(taken: 3) == "not enough censuses to judge: 3 taken, 4 needed")
    }

    @Test func theFirstFifthIsWarmUp() {
        #expect(LeakDetector.skipped(4) == 0)
        #expect(LeakDetector.skipped(6) == 1)
        #expect(LeakDetector.skipped(11) == 2)
        #expect(LeakDetector.skipped(31) == 6)
    }

    @Test func callTargetsAreModulesOrFiles() {
        #expect(CallTarget("app:handle") == CallTarget(module: "app", file: nil, function: "handle"))
        #expect(CallTarget("pkg.mod:Class.method")?.function == "Class.method")
        #expect(CallTarget("jobs.py:job") == CallTarget(module: "jobs", file: "jobs.py", function: "job"))
        #expect(CallTarget("lib/jobs:job")?.file == "lib/jobs")
        #expect(CallTarget("/a:b/jobs.py:job") == CallTarget(module: "jobs", file: "/a:b/jobs.py", function: "job"))
        #expect(CallTarget("/srv/jobs.py:job")?.absolute == "/srv/jobs.py:job")
        #expect(CallTarget("nocolon") == nil && CallTarget("app:") == nil && CallTarget(":f") == nil)
    }

    @Test func steadyGrowthIsALeak() {
        let found = verdict([100, 110, 120, 130, 140, 150])
        #expect(found.grows && found.rising == 4 && found.steps == 4 && found.slope == 10)
        #expect(abs(found.confidence - (1 - 1.0 / 120)) < 1e-12)
    }

    @Test func aCacheThatFillsThenStopsIsNot() {
        // Twelve calls fill it (past the warm-up fifth), then it stays full.
        let series = (0...30).map { 1000 + 10 * min($0, 12) }
        #expect(TrendTest.rising(Array(series.dropFirst(6)), at: Array(calls30.dropFirst(6))).pValue < 0.001)
        #expect(!verdict(series).steady && !verdict(series).grows)
    }

    @Test func oneResizeIsNot() {
        // A dict's bytes jump once, at call 15 of 30: significant by the test alone, not steady.
        let series = (0...30).map { $0 < 15 ? 4696 : 9312 }
        #expect(!verdict(series, floor: LeakCriteria.defaultMinBytes).grows)
    }

    @Test func aSawtoothIsNot() {
        // A batch of 40 objects a call, flushed every 6 calls.
        let series = (0...30).map { 500 + 40 * ($0 % 6) }
        #expect(!verdict(series).grows)
        #expect(TrendTest.rising(Array(series.dropFirst(6)), at: Array(calls30.dropFirst(6))).pValue > 0.05)
        let shifted = (0...30).map { 500 + 40 * (($0 + 3) % 6) }
        #expect(!verdict(shifted).grows)
    }

    @Test func churnIsNot() {
        #expect(!verdict([100, 120, 90, 130, 95, 140, 100, 150, 96, 131, 99]).grows)
    }

    @Test func oneObjectEveryFiveCallsIsALeak() {
        let series = (0...30).map { 9000 + $0 / 5 }
        let found = verdict(series)
        #expect(found.grows && found.rising == 5 && found.steps == 24)
        #expect(found.confidence > 0.999)
        #expect(abs(found.slope - 0.2) < 0.05)
    }

    @Test func aFewBytesACallIsALeak() {
        // A str that gains 8 characters a call: 8 bytes a call, 192 over the judged 24.
        #expect(verdict((0...30).map { 5000 + 8 * $0 }, floor: LeakCriteria.defaultMinBytes).grows)
        // Steady and sure, but under the floor: 2 bytes a call, 48 over the judged calls.
        let slow = verdict((0...30).map { 5000 + 2 * $0 }, floor: LeakCriteria.defaultMinBytes)
        #expect(slow.steady && slow.confidence > 0.999 && !slow.grows)
        // One object every five calls is under a floor of 10 objects.
        #expect(!verdict((0...30).map { 9000 + $0 / 5 }, floor: 10).grows)
    }

    @Test func oneDipIsTolerated() {
        let series = [0, 10, 20, 30, 25, 35, 45, 55, 65, 75, 85]
        let found = verdict(series)
        #expect(found.grows && found.rising == 7 && found.steps == 8)
    }

    @Test func leaksAreRankedByBytesAndKeepTheirKind() {
        let found = LeakDetector.leaks([
            "app.Record": (counts: [10, 20, 30, 40, 50], bytes: [560, 1120, 1680, 2240, 2800]),
            "list": (counts: [5, 5, 5, 5, 5], bytes: [100, 200, 300, 400, 500]),
            "dict": (counts: [50, 49, 50, 49, 50], bytes: [5000, 4900, 5000, 4900, 5000]),
        ], at: [0, 1, 2, 3, 4])
        #expect(found.map(\.type) == ["app.Record", "list"])
        #expect(found[0].countGrows && found[0].countGrowth == 10 && found[0].bytesGrowth == 560)
        #expect(!found[1].countGrows && found[1].bytesGrowth == 100 && found[1].countGrowth == 0)
        #expect(found[1].risingSteps == 3 && found[1].steps == 3 && found[1].confidence == 1 - 1.0 / 24)
    }
}

@Suite struct DotGraphReportTests {
    @Test func writesObjgraphStatements() {
        let graph = ObjectGraph(starts: ["o1"], nodes: [
            .init(id: "o1", label: "list\n2 items", attributes: [["tooltip", "a \"b\""]], hsv: [0, 0, 1],
                  edges: [.init(source: "o1", target: "o2", label: "key\nx", weight: nil),
                          .init(source: "o1", target: "o3", label: "items", weight: 2),
                          .init(source: "o1", target: "o4")], skipped: 3, skippedHSV: [0, 1, 0.65]),
            .init(id: "o2", label: "Session", hsv: [0.6, 0.6, 0.3], hasDel: true),
        ], backwards: false)
        #expect(DotGraphReport.render(graph) == """
            digraph ObjectGraph {
              node[shape=box, style=filled, fillcolor=white];
              o1[fontcolor=red];
              o1[label="list\\n2 items", tooltip="a \\"b\\""];
              o1[fillcolor="0,0,1"];
              o1 -> o2 [label="key\\nx"];
              o1 -> o3 [label="items",weight=2];
              o1 -> o4;
              o1->too_many_o1[color=red,style=dotted,len=0.25,weight=10];
              too_many_o1[label="3 more references",shape=box,height=0.25,color=red,fillcolor="0,1,0.65",fontsize=6];
              too_many_o1[fontcolor=white];
              o2[label="Session"];
              o2[fillcolor="0.6,0.6,0.3"];
              o2[fontcolor=white];
              o2->o2_has_a_del[color=red,style=dotted,len=0.25,weight=10];
              o2_has_a_del[label="__del__",shape=doublecircle,height=0.25,color=red,fillcolor="0,.5,1",fontsize=6];
            }

            """)
    }

    @Test func backwardGraphsPointTheirOverflowAtTheNode() {
        let graph = ObjectGraph(starts: [], nodes: [.init(id: "o9", label: "x", hsv: [0, 0, 1], skipped: 1)], backwards: true)
        #expect(DotGraphReport.render(graph).contains("  too_many_o9->o9[color=red"))
        #expect(DotGraphReport.render(graph).contains("\"1 more backreferences\""))
    }
}
