import Testing
@testable import Pyrometer

@Suite struct LeakDetectorTests {
    @Test func noVerdictFromFewerCensusesThanTheTrendNeeds() {
        #expect(LeakDetector.minimumCensuses == 3)
        #expect(LeakDetector.judge([100, 200]).grows == false)
        #expect(LeakDetector.judge([100]).grows == false)
        #expect(LeakDetector.judge([100, 200, 300]).grows == true)
        #expect(LeakDetector.notEnoughCensuses(taken: 2) == "not enough censuses to judge: 2 taken, 3 needed")
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
        let verdict = LeakDetector.judge([100, 110, 120, 130, 140, 150])
        #expect(verdict == .init(rising: 5, falling: 0, steps: 5, grows: true))
    }

    @Test func oneTimeGrowthIsNot() {
        // A cache filled on the first calls, then stable.
        #expect(!LeakDetector.judge([100, 140, 141, 141, 141, 141, 141]).grows)
    }

    @Test func churnIsNot() {
        #expect(!LeakDetector.judge([100, 120, 90, 130, 95, 140, 100, 150]).grows)
    }

    @Test func oneDipInTenStepsIsTolerated() {
        // 9 of 10 steps up, one down: still growing.
        let series = [0, 10, 20, 30, 25, 35, 45, 55, 65, 75, 85]
        #expect(LeakDetector.judge(series) == .init(rising: 9, falling: 1, steps: 10, grows: true))
    }

    @Test func tooFewCensusesCannotLeak() {
        #expect(!LeakDetector.judge([1, 2]).grows)
        #expect(!LeakDetector.judge([5]).grows)
        #expect(!LeakDetector.judge([]).grows)
    }

    @Test func growthIsTheMedianStepRate() {
        // One step shrank by a one-off cleanup; per-call growth stays 30.
        #expect(LeakDetector.rate([9799, 9825, 9855, 9885, 9915, 9945], at: [0, 1, 2, 3, 4, 5]) == 30)
        // Per second, from uneven sampling times.
        #expect(LeakDetector.rate([0, 10, 30], at: [0, 0.5, 1.5]) == 20)
    }

    @Test func leaksAreRankedByBytesAndKeepTheirKind() {
        let found = LeakDetector.leaks([
            "app.Record": (counts: [10, 20, 30, 40], bytes: [560, 1120, 1680, 2240]),
            "list": (counts: [5, 5, 5, 5], bytes: [100, 200, 300, 400]),
            "dict": (counts: [50, 49, 50, 49], bytes: [5000, 4900, 5000, 4900]),
        ], at: [0, 1, 2, 3])
        #expect(found.map(\.type) == ["app.Record", "list"])
        #expect(found[0].countGrows && found[0].countGrowth == 10 && found[0].bytesGrowth == 560)
        #expect(!found[1].countGrows && found[1].bytesGrowth == 100 && found[1].risingSteps == 3)
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
