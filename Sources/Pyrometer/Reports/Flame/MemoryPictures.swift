/// The memory held by stack at the peak and at the end, drawn as memray's flame
/// graph draws it: each frame as wide as the bytes allocated under it and
/// still held. `pyrometer memory --flamegraph` / `--html` write them.
public struct MemoryPictures {
    public let profile: MemoryProfile
    public let atPeak: FlameTree
    public let atEnd: FlameTree

    public init(_ profile: MemoryProfile) {
        self.profile = profile
        atPeak = Self.tree(profile.stacksAtPeak ?? [])
        atEnd = Self.tree(profile.stacksAtEnd ?? [])
    }

    static func tree(_ stacks: [StackHolding]) -> FlameTree {
        FlameTree(stacks: stacks.map { stack in
            FlameStack(frames: stack.frames.map { FlameFrame(function: $0.function, file: $0.file, line: $0.line, firstLine: 0) },
                       weight: max(stack.bytes, 0))
        }, unit: "bytes")
    }

    var title: String { "pyrometer memory: \(profile.command.joined(separator: " "))" }

    var peakHeading: String { "at the peak (\(FlameGraphReport.bytes(profile.peakTraced)) traced)" }
    var endHeading: String { "at the end (\(FlameGraphReport.bytes(profile.finalTraced)) traced)" }

    public func flameGraph() -> String {
        FlameGraphReport.document([
            (FlameGraphReport(title: "\(title): memory held \(peakHeading)", subtitle: "bytes allocated under each stack and held at the peak · Python \(profile.python)", palette: .cool), atPeak, "peak"),
            (FlameGraphReport(title: "Memory held \(endHeading)", subtitle: "bytes allocated under each stack and still held when the program ended", palette: .cool), atEnd, "end"),
        ])
    }

    public func html() -> String {
        let facts = ["peak traced \(FlameGraphReport.bytes(profile.peakTraced)), peak RSS \(FlameGraphReport.bytes(profile.peakResident)), traced at the end \(FlameGraphReport.bytes(profile.finalTraced)), \(profile.allocations) allocations",
                     "Python \(profile.python)"]
        return HTMLReport(title: title, facts: facts, notes: profile.notes ?? [], palette: .cool)
            .html([HTMLReport.View(id: "peak-", heading: peakHeading, tree: atPeak),
                   HTMLReport.View(id: "end-", heading: endHeading, tree: atEnd)])
    }
}
