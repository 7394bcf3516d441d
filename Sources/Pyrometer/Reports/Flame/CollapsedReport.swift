/// Folded stacks, as flamegraph.pl and inferno read them: one line per stack
/// of the tree, `outer;inner;innermost COUNT`, a frame written `function
/// (file:first line)`. The format has no quoting: as the stackcollapse scripts
/// do, a `;` inside a name becomes `:` and a line break a space, so every line
/// stays one stack.
public struct CollapsedReport {
    public init() {}

    public func text(_ tree: FlameTree) -> String {
        var out = ""
        var pending: [(node: Int, prefix: String)] = [(0, "")]
        while let (node, prefix) = pending.popLast() {
            let here = tree.nodes[node]
            var path = prefix
            if node != 0 {
                path = prefix.isEmpty ? Self.frame(here) : prefix + ";" + Self.frame(here)
                if here.own > 0 { out += "\(path) \(here.own)\n" }
            }
            for child in tree.children(of: node, .alphabetical).reversed() { pending.append((child, path)) }
        }
        return out
    }

    static func frame(_ node: FlameTree.Node) -> String {
        let line = node.line ?? node.firstLine
        var text = node.function
        if !node.file.isEmpty { text += " (\(node.file)\(line > 0 ? ":\(line)" : ""))" }
        return clean(text)
    }

    static func clean(_ name: String) -> String {
        var out = ""
        for scalar in name.unicodeScalars {
            switch scalar {
            case ";": out += ":"
            case "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
