import Testing
@testable import Pyrometer

/// The hot path's accounting, driven with synthetic events (no interpreter).
@Suite(.serialized) struct LineCollectorTests {
    let frameA = UnsafeMutableRawPointer(bitPattern: 0x1000)!
    let frameB = UnsafeMutableRawPointer(bitPattern: 0x2000)!

    func counts(_ code: Int32) -> [Int: UInt64] {
        Dictionary(uniqueKeysWithValues: LineCollector.counters(ofCode: code).map { ($0.line, $0.hits) })
    }

    @Test func eachLineIsChargedWhenTheNextBegins() {
        LineCollector.reset()
        let code = LineCollector.addCode(firstLine: 10, lastLine: 13)
        LineCollector.enter(owner: frameA, code: code)
        for line: Int32 in [11, 12, 12, 13] { #expect(LineCollector.line(owner: frameA, line: line)) }
        LineCollector.leave(owner: frameA)
        #expect(counts(code) == [11: 1, 12: 2, 13: 1])
    }

    @Test func recursionChargesEachFrameItsOwnLines() {
        LineCollector.reset()
        let code = LineCollector.addCode(firstLine: 1, lastLine: 3)
        LineCollector.enter(owner: frameA, code: code)
        LineCollector.line(owner: frameA, line: 2)
        LineCollector.enter(owner: frameB, code: code)       // the call on line 2 recurses
        LineCollector.line(owner: frameB, line: 2)
        LineCollector.line(owner: frameB, line: 3)
        LineCollector.leave(owner: frameB)
        LineCollector.line(owner: frameA, line: 3)
        LineCollector.leave(owner: frameA)
        #expect(counts(code) == [2: 2, 3: 2])
    }

    @Test func eventsOfOtherFramesAreIgnored() {
        LineCollector.reset()
        let code = LineCollector.addCode(firstLine: 1, lastLine: 2)
        #expect(!LineCollector.line(owner: frameA, line: 1))   // nothing entered
        LineCollector.enter(owner: frameA, code: code)
        #expect(!LineCollector.line(owner: frameB, line: 1))
        LineCollector.leave(owner: frameB)
        LineCollector.line(owner: frameA, line: 1)
        LineCollector.line(owner: frameA, line: 9)           // outside the code: not counted
        LineCollector.leave(owner: frameA)
        #expect(counts(code) == [1: 1])
    }

    @Test func deepStacksGrow() {
        LineCollector.reset()
        let code = LineCollector.addCode(firstLine: 1, lastLine: 1)
        let owners = (1...2000).map { UnsafeMutableRawPointer(bitPattern: $0 * 16)! }
        for owner in owners {
            LineCollector.enter(owner: owner, code: code)
            LineCollector.line(owner: owner, line: 1)
        }
        for owner in owners.reversed() { LineCollector.leave(owner: owner) }
        #expect(counts(code) == [1: 2000])
    }
}
