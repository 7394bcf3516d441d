import FoundationEssentials

/// Memory over time as an SVG line chart, as `mprof plot` draws it: RSS and traced
/// bytes against seconds, with each chosen function's calls marked as a shaded band
/// between its entry and its exit.
public struct MemoryPlot {
    public var width = 900.0
    public var height = 480.0

    public init() {}

    public func svg(_ profile: MemoryProfile) -> String {
        let samples = profile.timeline.samples
        let left = 80.0, right = 20.0, top = 40.0, bottom = 60.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let maxTime = max(samples.map(\.time).max() ?? 0, profile.timeline.calls.map(\.end).max() ?? 0, 1e-3)
        let maxBytes = Double(max(samples.map { max($0.resident, $0.traced) }.max() ?? 0, 1))
        let mib = 1024.0 * 1024.0
        func x(_ t: Double) -> Double { left + t / maxTime * plotWidth }
        func y(_ bytes: Int64) -> Double { top + plotHeight - Double(bytes) / maxBytes * plotHeight }
        func f(_ v: Double) -> String { Text.format("%.1f", v) }
        func escape(_ s: String) -> String { s.xmlEscaped }

        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <title>Memory over time: \(escape(profile.command.joined(separator: " ")))</title>
        <rect x="0" y="0" width="\(Int(width))" height="\(Int(height))" fill="white"/>
        <text x="\(f(left))" y="24" font-size="14">Memory over time — peak RSS \(Text.format("%.1f", Double(profile.peakResident) / mib)) MiB, peak traced \(Text.format("%.1f", Double(profile.peakTraced) / mib)) MiB</text>

        """
        let palette = ["#fdd49e", "#c6dbef", "#c7e9c0", "#dadaeb", "#fcbba1", "#d9d9d9"]
        let names = Array(Set(profile.timeline.calls.map(\.function))).sorted()
        out += "<g id=\"calls\">\n"
        for call in profile.timeline.calls {
            let color = palette[(names.firstIndex(of: call.function) ?? 0) % palette.count]
            out += "<rect class=\"call\" data-function=\"\(escape(call.function))\" x=\"\(f(x(call.start)))\" y=\"\(f(top))\" width=\"\(f(max(1, x(call.end) - x(call.start))))\" height=\"\(f(plotHeight))\" fill=\"\(color)\" fill-opacity=\"0.6\"><title>\(escape(call.function)) \(Text.format("%.3f", call.start))–\(Text.format("%.3f", call.end)) s</title></rect>\n"
        }
        out += "</g>\n"
        // Axes, with gridlines at round MiB values.
        out += "<g id=\"axes\" stroke=\"#444\">\n<line x1=\"\(f(left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(top + plotHeight))\"/>\n<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotHeight))\"/>\n</g>\n"
        for tick in 0...5 {
            let bytes = Int64(Double(tick) / 5 * maxBytes)
            out += "<text x=\"\(f(left - 8))\" y=\"\(f(y(bytes) + 4))\" text-anchor=\"end\">\(Text.format("%.1f", Double(bytes) / mib))</text>\n"
            let t = Double(tick) / 5 * maxTime
            out += "<text x=\"\(f(x(t)))\" y=\"\(f(top + plotHeight + 18))\" text-anchor=\"middle\">\(Text.format("%.2f", t))</text>\n"
        }
        out += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 15))\" text-anchor=\"middle\">time (s)</text>\n"
        out += "<text transform=\"translate(18 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">memory (MiB)</text>\n"
        for (name, color, value) in [("resident", "#1f77b4", { (s: MemoryTimeline.Sample) in s.resident }),
                                     ("traced", "#d62728", { (s: MemoryTimeline.Sample) in s.traced })] {
            let points = samples.map { "\(f(x($0.time))),\(f(y(value($0))))" }.joined(separator: " ")
            out += "<polyline id=\"\(name)\" class=\"series\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
        }
        // Legend.
        var legendY = top + 10
        for (label, color) in [("RSS", "#1f77b4"), ("traced by Python's allocators", "#d62728")] + names.enumerated().map({ ($1, palette[$0 % palette.count]) }) {
            out += "<rect x=\"\(f(left + plotWidth - 230))\" y=\"\(f(legendY - 9))\" width=\"12\" height=\"10\" fill=\"\(color)\"/><text x=\"\(f(left + plotWidth - 212))\" y=\"\(f(legendY))\">\(escape(label))</text>\n"
            legendY += 16
        }
        return out + "</svg>\n"
    }
}
