/// An interactive flame graph as one self-contained SVG file (its style and
/// script inline, nothing fetched): hovering a frame shows its function,
/// file:line, weight and share; clicking zooms into it ("Reset zoom" or the
/// bottom frame goes back); "Search" (or Ctrl-F) highlights the frames whose
/// function or file holds a text and shows the share they cover.
///
/// Every frame is an SVG element with its rectangle and label already placed,
/// so the picture shows without script; the script only moves them.
public struct FlameGraphReport {
    public enum Style: Sendable {
        /// Root at the bottom, children by name (flamegraph.pl's picture).
        case flame
        /// Root at the top, heaviest children first ("left heavy").
        case icicle
    }

    public enum Palette: Sendable {
        /// Reds and yellows, for time.
        case warm
        /// Greens and blues, for memory.
        case cool
    }

    public var title: String
    public var subtitle: String
    public var style: Style = .flame
    public var palette: Palette = .warm
    public var width = 1200.0
    static let frameHeight = 16.0
    static let pad = 10.0
    /// Frames narrower than this (pixels) are left out, with what they hold.
    static let minimumWidth = 0.1

    public init(title: String, subtitle: String = "", style: Style = .flame, palette: Palette = .warm) {
        self.title = title
        self.subtitle = subtitle
        self.style = style
        self.palette = palette
    }

    /// The flame graph as a standalone SVG document.
    public func svg(_ tree: FlameTree) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n" + element(tree, id: "flamegraph", standalone: true)
    }

    /// Several flame graphs, one above the other, in one SVG document (each
    /// zooms and searches on its own).
    public static func document(_ graphs: [(report: FlameGraphReport, tree: FlameTree, id: String)]) -> String {
        let width = graphs.map(\.report.width).max() ?? 1200
        var y = 0.0
        var inner = ""
        for graph in graphs {
            inner += graph.report.element(graph.tree, id: graph.id, standalone: false, y: y)
            y += graph.report.height(graph.tree)
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(Int(width))\" height=\"\(Int(y))\" viewBox=\"0 0 \(Int(width)) \(Int(y))\">\n"
            + "<style type=\"text/css\"><![CDATA[\n\(css)]]></style>\n" + inner
            + "<script type=\"text/ecmascript\"><![CDATA[\n\(script)]]></script>\n</svg>\n"
    }

    func height(_ tree: FlameTree) -> Double { 62 + Double(visibleDepth(tree) + 1) * Self.frameHeight + 30 }

    /// The depth of the deepest frame wide enough to be drawn.
    func visibleDepth(_ tree: FlameTree) -> Int {
        let usable = width - 2 * Self.pad
        let total = Double(max(tree.total, 1))
        return tree.nodes.lazy.filter { Double($0.total) / total * usable >= Self.minimumWidth }.map(\.depth).max() ?? 0
    }

    /// The `<svg>` element; `standalone` adds the style and the script (an HTML
    /// page carries one copy of them for all its graphs); `y` places it inside
    /// another SVG.
    func element(_ tree: FlameTree, id: String, standalone: Bool, y offset: Double? = nil) -> String {
        let rows = Double(visibleDepth(tree) + 1)
        let top = 62.0
        let height = height(tree)
        let usable = width - 2 * Self.pad
        let total = max(tree.total, 1)
        func f(_ v: Double) -> String { Text.format("%.2f", v) }
        func y(_ depth: Int) -> Double {
            switch style {
            case .flame: return top + (rows - 1 - Double(depth)) * Self.frameHeight
            case .icicle: return top + Double(depth) * Self.frameHeight
            }
        }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"flamegraph\" id=\"\(id)\"\(offset.map { " x=\"0\" y=\"\(f($0))\"" } ?? "") version=\"1.1\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" data-width=\"\(f(usable))\" data-pad=\"\(f(Self.pad))\" data-total=\"\(tree.total)\" data-unit=\"\(Markup.escape(tree.unit))\">\n"
        if standalone {
            out += "<style type=\"text/css\"><![CDATA[\n\(Self.css)]]></style>\n"
        }
        out += "<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"\(palette == .warm ? "#fdfaf3" : "#f5f9fc")\"/>\n"
        out += "<text class=\"title\" x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\">\(Markup.escape(title))</text>\n"
        if !subtitle.isEmpty {
            out += "<text class=\"subtitle\" x=\"\(f(width / 2))\" y=\"40\" text-anchor=\"middle\">\(Markup.escape(subtitle))</text>\n"
        }
        out += "<text class=\"button reset\" x=\"\(f(Self.pad))\" y=\"54\" style=\"display:none\">Reset zoom</text>\n"
        if standalone || offset == 0 {
            out += "<text class=\"button search-button\" x=\"\(f(width - Self.pad - 110))\" y=\"54\">Search</text>\n"
        }
        out += "<text class=\"button clear\" x=\"\(f(width - Self.pad - 50))\" y=\"54\" style=\"display:none\">Clear</text>\n"
        out += "<text class=\"matched\" x=\"\(f(width - Self.pad))\" y=\"\(f(height - 10))\" text-anchor=\"end\"> </text>\n"
        out += "<text class=\"details\" x=\"\(f(Self.pad))\" y=\"\(f(height - 10))\"> </text>\n"
        out += "<g class=\"frames\">\n"
        let root = FlameTree.Placement(node: 0, start: 0)
        var shown = Set<Int>([0])
        for placement in [root] + tree.layout(style == .flame ? .alphabetical : .heaviestFirst) {
            let node = tree.nodes[placement.node]
            let pixels = Double(node.total) / Double(total) * usable
            if let parent = node.parent, !shown.contains(parent) { continue }
            guard pixels >= Self.minimumWidth || placement.node == 0 else { continue }
            shown.insert(placement.node)
            let x = Self.pad + Double(placement.start) / Double(total) * usable
            let isRoot = placement.node == 0
            let name = isRoot ? "all" : node.function
            let line = node.line ?? node.firstLine
            let share = Text.format("%.2f", Double(node.total) * 100 / Double(total))
            var tip = "\(name)"
            if !node.file.isEmpty { tip += " (\(node.file)\(line > 0 ? ":\(line)" : ""))" }
            tip += ": \(Self.describe(node.total, unit: tree.unit)), \(share)%"
            if node.own > 0, !isRoot { tip += "; own \(Self.describe(node.own, unit: tree.unit))" }
            let hottest = node.lines.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3)
            if node.line == nil, hottest.count > 1 || (hottest.first.map { $0.key != node.firstLine } ?? false) {
                tip += "; by line: " + hottest.map { "\($0.key): \(Self.describe($0.value, unit: tree.unit))" }.joined(separator: ", ")
            }
            out += "<g class=\"frame\" data-s=\"\(placement.start)\" data-w=\"\(node.total)\" data-d=\"\(node.depth)\" data-name=\"\(Markup.escape(name))\" data-file=\"\(Markup.escape(node.file))\" data-line=\"\(line)\">"
            out += "<title>\(Markup.escape(tip))</title>"
            out += "<rect x=\"\(f(x))\" y=\"\(f(y(node.depth)))\" width=\"\(f(pixels))\" height=\"\(f(Self.frameHeight - 1))\" rx=\"2\" fill=\"\(isRoot ? "rgb(200,200,200)" : color(node.function))\"/>"
            out += "<text x=\"\(f(x + 3))\" y=\"\(f(y(node.depth) + 11.5))\">\(Markup.escape(Self.label(name, width: pixels)))</text></g>\n"
        }
        out += "</g>\n"
        // Last, so that the frames it looks for are there when it runs.
        if standalone { out += "<script type=\"text/ecmascript\"><![CDATA[\n\(Self.script)]]></script>\n" }
        return out + "</svg>\n"
    }

    /// The part of `name` that fits `width` pixels (about 7 a character).
    static func label(_ name: String, width: Double) -> String {
        let fits = Int((width - 6) / 7)
        if fits < 3 { return "" }
        return name.count <= fits ? name : String(name.prefix(fits - 2)) + ".."
    }

    static func describe(_ weight: Int64, unit: String) -> String {
        if unit == "bytes" { return Self.bytes(weight) }
        return "\(weight) \(weight == 1 && unit == "samples" ? "sample" : unit)"
    }

    static func bytes(_ value: Int64) -> String {
        var amount = Double(value)
        var index = 0
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        while abs(amount) >= 1024, index < units.count - 1 {
            amount /= 1024
            index += 1
        }
        return index == 0 ? "\(value) B" : Text.format("%.1f", amount) + " " + units[index]
    }

    /// A colour that depends only on the name, so a function keeps its colour
    /// between runs and between the two views of a page.
    func color(_ name: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let a = Double(hash & 0xFF) / 255, b = Double((hash >> 8) & 0xFF) / 255, c = Double((hash >> 16) & 0xFF) / 255
        switch palette {
        case .warm: return "rgb(\(205 + Int(50 * a)),\(Int(80 + 150 * b)),\(Int(40 * c)))"
        case .cool: return "rgb(\(Int(40 + 60 * c)),\(Int(140 + 90 * b)),\(Int(160 + 90 * a)))"
        }
    }

    static let css = """
    .flamegraph text { font-family: Verdana, "DejaVu Sans", sans-serif; font-size: 12px; fill: #222; }
    .flamegraph .title { font-size: 17px; }
    .flamegraph .subtitle { fill: #666; }
    .flamegraph .frame text { font-size: 11px; pointer-events: none; }
    .flamegraph .frame { cursor: pointer; }
    .flamegraph .frame:hover rect { stroke: #000; stroke-width: 0.6; }
    .flamegraph .frame.match rect { fill: rgb(230, 0, 230); }
    .flamegraph .frame.parent rect { opacity: 0.55; }
    .flamegraph .button { cursor: pointer; fill: #1f4e8c; text-decoration: underline; }

    """

    /// Shared by the SVG file and the HTML page: it finds every `svg.flamegraph`
    /// of the document and gives each its own zoom and search.
    static let script = """
    (function () {
      'use strict';
      function describe(v, unit) {
        if (unit === 'bytes') {
          var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], i = 0;
          while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
          return (i ? v.toFixed(1) : String(v)) + ' ' + units[i];
        }
        return v + ' ' + (v === 1 && unit === 'samples' ? 'sample' : unit);
      }
      function label(name, width) {
        var fits = Math.floor((width - 6) / 7);
        if (fits < 3) return '';
        return name.length <= fits ? name : name.slice(0, fits - 2) + '..';
      }
      function setup(svg) {
        var W = +svg.getAttribute('data-width'), pad = +svg.getAttribute('data-pad');
        var total = Math.max(+svg.getAttribute('data-total'), 1), unit = svg.getAttribute('data-unit');
        var details = svg.querySelector('.details'), matched = svg.querySelector('.matched');
        var reset = svg.querySelector('.reset'), clear = svg.querySelector('.clear');
        var frames = Array.prototype.map.call(svg.querySelectorAll('g.frame'), function (g) {
          return { g: g, s: +g.getAttribute('data-s'), w: +g.getAttribute('data-w'), d: +g.getAttribute('data-d'),
                   name: g.getAttribute('data-name'), file: g.getAttribute('data-file'), line: g.getAttribute('data-line'),
                   rect: g.querySelector('rect'), text: g.querySelector('text') };
        });
        var root = frames.filter(function (f) { return f.d === 0; })[0];
        function place(f, x, w) {
          f.rect.setAttribute('x', x.toFixed(2));
          f.rect.setAttribute('width', Math.max(w, 0).toFixed(2));
          f.text.setAttribute('x', (x + 3).toFixed(2));
          f.text.textContent = label(f.name, w);
        }
        function zoom(z) {
          frames.forEach(function (f) {
            var inside = f.d >= z.d && f.s >= z.s && f.s + f.w <= z.s + z.w;
            var below = f.d < z.d && f.s <= z.s && f.s + f.w >= z.s + z.w;
            f.g.style.display = inside || below ? '' : 'none';
            f.g.classList.toggle('parent', below);
            if (inside) place(f, pad + (f.s - z.s) / z.w * W, f.w / z.w * W);
            else if (below) place(f, pad, W);
          });
          reset.style.display = z === root ? 'none' : '';
          svg.setAttribute('data-zoomed', z === root ? '' : z.name);
        }
        function where(f) {
          if (!f.file) return '';
          return ' (' + f.file + (f.line !== '0' ? ':' + f.line : '') + ')';
        }
        frames.forEach(function (f) {
          f.g.addEventListener('mouseover', function () {
            details.textContent = f.name + where(f) + ': ' + describe(f.w, unit) + ', ' + (100 * f.w / total).toFixed(2) + '%';
          });
          f.g.addEventListener('mouseout', function () { details.textContent = ' '; });
          f.g.addEventListener('click', function (event) { event.stopPropagation(); zoom(f); });
        });
        reset.addEventListener('click', function () { zoom(root); });
        svg.flameSearch = function (term) {
          var t = (term || '').toLowerCase(), hits = [];
          frames.forEach(function (f) {
            var hit = t !== '' && f.d > 0 && (f.name.toLowerCase().indexOf(t) >= 0 || f.file.toLowerCase().indexOf(t) >= 0);
            f.g.classList.toggle('match', hit);
            if (hit) hits.push(f);
          });
          // Frames nest: count a match inside another match once.
          hits.sort(function (a, b) { return a.s - b.s || a.d - b.d; });
          var covered = 0, end = -1;
          hits.forEach(function (f) { if (f.s >= end) { covered += f.w; end = f.s + f.w; } });
          var share = (100 * covered / total).toFixed(1);
          matched.textContent = t ? 'Matched: ' + share + '%' : ' ';
          svg.setAttribute('data-matched', t ? share : '');
          clear.style.display = t ? '' : 'none';
          return t ? +share : 0;
        };
        clear.addEventListener('click', function () {
          svg.flameSearch('');
          var box = document.getElementById('search');
          if (box) box.value = '';
        });
      }
      var graphs = Array.prototype.slice.call(document.querySelectorAll('svg.flamegraph'));
      graphs.forEach(setup);
      var box = document.getElementById('search');
      if (box) box.addEventListener('input', function () {
        graphs.forEach(function (svg) { svg.flameSearch(box.value); });
      });
      function ask() {
        var term = window.prompt('Search for a function or file (part of its name):', '');
        if (term !== null) graphs.forEach(function (svg) { svg.flameSearch(term); });
      }
      Array.prototype.forEach.call(document.querySelectorAll('.search-button'), function (button) {
        button.addEventListener('click', ask);
      });
      document.addEventListener('keydown', function (event) {
        if ((event.ctrlKey || event.metaKey) && (event.key === 'f' || event.key === 'F')) {
          event.preventDefault();
          if (box) { box.focus(); box.select(); } else { ask(); }
        }
      });
    })();

    """
}
