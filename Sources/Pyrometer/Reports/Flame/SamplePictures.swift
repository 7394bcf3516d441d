import FoundationEssentials

/// The pictures of one sample profile, all drawn from one `FlameTree`: the
/// flame graph (SVG), the page (HTML), speedscope's JSON, collapsed stacks and
/// pprof. `pyrometer sample` and `pyrometer view` write them.
public struct SamplePictures {
    public let profile: SampleProfile
    public let tree: FlameTree

    public init(_ profile: SampleProfile) {
        self.profile = profile
        self.tree = FlameTree(profile)
    }

    var title: String { "pyrometer sample: \(profile.command.joined(separator: " "))" }

    /// "cpu mode, 1000 Hz, 2.31 s: 2290 samples of 2310 expected (99.1%)".
    var summary: String {
        var text = "\(profile.mode) mode\(profile.idle ? " with idle frames" : ""), \(Text.format("%g", profile.rate)) Hz"
        if profile.rate != profile.requestedRate { text += " (asked \(Text.format("%g", profile.requestedRate)) Hz)" }
        text += ", \(Text.format("%.2f", profile.duration)) s: \(profile.samplesTaken) samples"
        if profile.samplesExpected > 0 {
            text += " of \(profile.samplesExpected) expected (\(Text.format("%.1f", Double(profile.samplesTaken) * 100 / Double(profile.samplesExpected)))%)"
        }
        let dropped = profile.samplesDropped.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        if !dropped.isEmpty { text += "; dropped " + dropped.map { "\($0.value) \($0.key)" }.joined(separator: ", ") }
        return text
    }

    public func flameGraph() -> String {
        FlameGraphReport(title: title, subtitle: summary + " · Python \(profile.python)").svg(tree)
    }

    public func html() -> String {
        let threads = profile.threads.map { $0.name.isEmpty ? "\($0.id)" : "\($0.name) (\($0.id))" }
        var facts = [summary, "Python \(profile.python)"]
        if !threads.isEmpty { facts.append("threads: " + threads.joined(separator: ", ")) }
        return HTMLReport(title: title, facts: facts, notes: profile.notes ?? [], sources: profile.sources).html(tree)
    }

    public func speedscope() throws -> Data {
        try SpeedscopeReport(name: title).json(tree)
    }

    public func collapsed() -> String { CollapsedReport().text(tree) }

    public func pprof() -> [UInt8] {
        let period = profile.rate > 0 ? Int64((1e9 / profile.rate).rounded()) : 0
        return PprofReport(timeType: profile.mode == "wall" ? "wall" : "cpu", periodNanoseconds: period,
                           durationNanoseconds: Int64((max(profile.duration, 0) * 1e9).rounded()),
                           comments: [title, summary]).gzipped(tree)
    }
}
