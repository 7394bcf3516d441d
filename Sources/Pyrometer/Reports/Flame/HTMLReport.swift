/// One self-contained page (style and script inline, nothing fetched) with the
/// flame graph, the icicle ("left heavy") view, the top functions by own and
/// total weight, the hottest lines, and the source of the hottest functions
/// with their per-line counts.
public struct HTMLReport {
    public var title: String
    /// Lines of facts under the title (mode, rate, samples...).
    public var facts: [String]
    public var notes: [String]
    /// File -> its lines, for the source section.
    public var sources: [String: [String]]
    public var palette: FlameGraphReport.Palette = .warm
    /// Rows of each table, and functions whose source is shown.
    public var rows = 40
    public var sourceFunctions = 5

    public init(title: String, facts: [String] = [], notes: [String] = [], sources: [String: [String]] = [:],
                palette: FlameGraphReport.Palette = .warm) {
        self.title = title
        self.facts = facts
        self.notes = notes
        self.sources = sources
        self.palette = palette
    }

    /// One set of pictures and tables on the page: a profile's stacks, or for
    /// memory those held at the peak and those held at the end.
    public struct View {
        /// Prefix of the sections' ids ("" gives flame, icicle, functions, lines).
        public var id: String
        /// Added to every heading ("at the peak"); "" for none.
        public var heading: String
        public var tree: FlameTree

        public init(id: String = "", heading: String = "", tree: FlameTree) {
            self.id = id
            self.heading = heading
            self.tree = tree
        }
    }

    public func html(_ tree: FlameTree) -> String { html([View(tree: tree)]) }

    /// The page: each view's graphs and tables in turn, then the source of the
    /// first view's hottest functions.
    public func html(_ views: [View]) -> String {
        let e = Markup.escape
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(title))</title>
        <style>
        \(FlameGraphReport.css)\(Self.css)</style>
        </head>
        <body>
        <header>
        <h1>\(e(title))</h1>

        """
        for fact in facts { out += "<p class=\"fact\">\(e(fact))</p>\n" }
        for note in notes { out += "<p class=\"note\">note: \(e(note))</p>\n" }
        out += """
        <nav>\(views.map { view in
            [("flame", "Flame graph"), ("icicle", "Left heavy"), ("functions", "Top functions"), ("lines", "Hottest lines")]
                .map { "<a href=\"#\(view.id)\($0.0)\">\($0.1)\(view.heading.isEmpty ? "" : " " + e(view.heading))</a>" }.joined(separator: " · ")
        }.joined(separator: " · ")) · <a href="#sources">Source</a></nav>
        <p class="search"><label for="search">Search (function or file, Ctrl-F):</label> <input id="search" type="search" autocomplete="off" placeholder="e.g. parse"></p>
        </header>

        """
        for view in views { out += sections(view) }
        if let first = views.first { out += sourceSection(first.tree) }
        out += "<script>\n\(FlameGraphReport.script)</script>\n</body>\n</html>\n"
        return out
    }

    private func sections(_ view: View) -> String {
        let tree = view.tree
        let totals = StackTotals(tree)
        let e = Markup.escape
        let weight = tree.unit == "bytes" ? "Bytes" : "Samples"
        func amount(_ value: Int64) -> String { tree.unit == "bytes" ? FlameGraphReport.bytes(value) : "\(value)" }
        let suffix = view.heading.isEmpty ? "" : " " + e(view.heading)
        let id = view.id
        var out = ""
        let hint = "Hover a frame for its function, file:line and share; click to zoom in; Reset zoom to go back."
        out += "<section id=\"\(id)flame\">\n<h2>Flame graph\(suffix)</h2>\n<p class=\"hint\">\(hint)</p>\n"
        out += FlameGraphReport(title: "Flame graph" + view.heading.prefixedBySpace, subtitle: "stacks merged by function, root at the bottom", style: .flame, palette: palette)
            .element(tree, id: "\(id)flame-graph", standalone: false)
        out += "</section>\n<section id=\"\(id)icicle\">\n<h2>Left heavy\(suffix)</h2>\n<p class=\"hint\">The same stacks, root at the top, the heaviest callee first at every level.</p>\n"
        out += FlameGraphReport(title: "Left heavy" + view.heading.prefixedBySpace, subtitle: "heaviest first, root at the top", style: .icicle, palette: palette)
            .element(tree, id: "\(id)icicle-graph", standalone: false)
        out += "</section>\n"

        out += "<section id=\"\(id)functions\">\n<h2>Top functions\(suffix)</h2>\n"
        out += "<table class=\"numbers\"><thead><tr><th>Function</th><th>File:line</th><th>Own</th><th>Own %</th><th>Total</th><th>Total %</th></tr></thead><tbody>\n"
        for function in totals.functions.prefix(rows) {
            out += "<tr><td class=\"name\">\(e(function.function))</td><td class=\"file\">\(e(location(function.file, function.firstLine)))</td>"
            out += "<td>\(amount(function.own))</td><td>\(totals.percent(function.own))</td><td>\(amount(function.total))</td><td>\(totals.percent(function.total))</td></tr>\n"
        }
        out += "</tbody></table>\n<p class=\"hint\">\(weight) ending in the function (own) and passing through it (total; a recursive function counts once per stack).</p>\n</section>\n"

        out += "<section id=\"\(id)lines\">\n<h2>Hottest lines\(suffix)</h2>\n"
        out += "<table class=\"numbers\"><thead><tr><th>File:line</th><th>Function</th><th>Own</th><th>Own %</th><th>Total</th><th>Total %</th><th>Source</th></tr></thead><tbody>\n"
        for line in totals.lines.prefix(rows) where line.own > 0 || line.total > 0 {
            let text = sourceLine(line.file, line.line) ?? ""
            out += "<tr><td class=\"file\">\(e(location(line.file, line.line)))</td><td class=\"name\">\(e(line.function))</td>"
            out += "<td>\(amount(line.own))</td><td>\(totals.percent(line.own))</td><td>\(amount(line.total))</td><td>\(totals.percent(line.total))</td>"
            out += "<td class=\"code\">\(e(text.trimmed))</td></tr>\n"
        }
        out += "</tbody></table>\n</section>\n"
        return out
    }

    private func sourceSection(_ tree: FlameTree) -> String {
        let totals = StackTotals(tree)
        let e = Markup.escape
        func amount(_ value: Int64) -> String { tree.unit == "bytes" ? FlameGraphReport.bytes(value) : "\(value)" }
        var out = "<section id=\"sources\">\n<h2>Source of the hottest functions</h2>\n"
        var shownFunctions = 0
        for function in totals.functions where shownFunctions < sourceFunctions {
            guard let lines = sources[function.file], !lines.isEmpty else { continue }
            let counts = Dictionary(totals.lines(of: function).map { ($0.line, $0) }, uniquingKeysWith: { a, _ in a })
            let span = Self.span(of: function, in: lines, counted: Array(counts.keys))
            guard !span.isEmpty else { continue }
            shownFunctions += 1
            out += "<h3><span class=\"name\">\(e(function.function))</span> — \(e(location(function.file, function.firstLine))) — \(amount(function.total)) (\(totals.percent(function.total))%)</h3>\n"
            out += "<table class=\"source\"><thead><tr><th>Line</th><th>Total</th><th>Own</th><th>%</th><th>Source</th></tr></thead><tbody>\n"
            for number in span {
                let count = counts[number]
                let hot = count.map { Double($0.total) / Double(max(function.total, 1)) } ?? 0
                let style = hot > 0 ? " style=\"background: rgba(230, 90, 20, \(Text.format("%.2f", 0.08 + 0.5 * hot)))\"" : ""
                out += "<tr\(count != nil ? " class=\"hit\"" : "")\(style)><td>\(number)</td><td>\(count.map { amount($0.total) } ?? "")</td><td>\(count.map { amount($0.own) } ?? "")</td>"
                out += "<td>\(count.map { totals.percent($0.total) } ?? "")</td><td class=\"code\"><pre>\(e(lines[number - 1]))</pre></td></tr>\n"
            }
            out += "</tbody></table>\n"
        }
        if shownFunctions == 0 { out += "<p class=\"hint\">No source was saved with this profile.</p>\n" }
        return out + "</section>\n"
    }

    private func location(_ file: String, _ line: Int) -> String {
        file.isEmpty ? "" : line > 0 ? "\(file):\(line)" : file
    }

    private func sourceLine(_ file: String, _ line: Int) -> String? {
        guard let lines = sources[file], line >= 1, line <= lines.count else { return nil }
        return lines[line - 1]
    }

    /// The line numbers of a function's source: from its first line to the
    /// last line indented under it (or the last line that was counted).
    static func span(of function: StackTotals.Function, in lines: [String], counted: [Int]) -> ClosedRange<Int> {
        let first = max(function.firstLine, 1)
        guard first <= lines.count else { return 1...0 }
        func indent(_ text: String) -> Int { text.prefix { $0 == " " || $0 == "\t" }.count }
        var last = first
        // Decorators and the def line come first; the body is what is indented more than the def.
        var defLine = first
        while defLine <= lines.count, lines[defLine - 1].trimmed.hasPrefix("@") { defLine += 1 }
        let base = defLine <= lines.count ? indent(lines[defLine - 1]) : 0
        var number = defLine + 1
        if function.firstLine <= 1 || function.function == "<module>" {
            last = lines.count
        } else {
            last = min(defLine, lines.count)
            while number <= lines.count {
                let text = lines[number - 1]
                if !text.trimmed.isEmpty {
                    if indent(text) <= base && !text.trimmed.hasPrefix(")") { break }
                    last = number
                }
                number += 1
            }
        }
        last = max(last, counted.filter { $0 <= lines.count }.max() ?? last)
        // A module's source could be long: keep to the counted part of it, with some context.
        if last - first > 400, let low = counted.min(), let high = counted.max() {
            return max(first, low - 5)...min(lines.count, max(high, low) + 5)
        }
        return first...last
    }

    static let css = """
    body { font-family: Verdana, "DejaVu Sans", sans-serif; margin: 1em 2em; color: #222; background: #fff; }
    h1 { font-size: 1.4em; } h2 { font-size: 1.2em; margin-top: 1.6em; } h3 { font-size: 1em; font-weight: normal; }
    .fact { margin: 0.2em 0; } .note { color: #8a5a00; margin: 0.2em 0; } .hint { color: #666; font-size: 0.9em; }
    nav { margin: 0.8em 0; } .search input { width: 22em; }
    section { overflow-x: auto; }
    table { border-collapse: collapse; font-size: 0.9em; }
    th, td { padding: 2px 8px; border-bottom: 1px solid #eee; text-align: right; vertical-align: top; }
    th { background: #f3f3f3; } td.name, td.file, td.code { text-align: left; }
    td.name, span.name { font-family: "DejaVu Sans Mono", monospace; }
    td.code { font-family: "DejaVu Sans Mono", monospace; white-space: pre; }
    table.source pre { margin: 0; font-family: "DejaVu Sans Mono", monospace; }
    table.source td { border-bottom: none; }

    """
}

extension String {
    /// " " + self, or "" when empty.
    var prefixedBySpace: String { isEmpty ? "" : " " + self }
}
