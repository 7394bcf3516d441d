import FoundationEssentials

/// An `ObjectGraph` in Graphviz's DOT language, statement for statement as
/// objgraph writes it, so existing tooling reads it the same way.
public enum DotGraphReport {
    public static func render(_ graph: ObjectGraph) -> String {
        var out = "digraph ObjectGraph {\n  node[shape=box, style=filled, fillcolor=white];\n"
        for start in graph.starts { out += "  \(start)[fontcolor=red];\n" }
        for node in graph.nodes {
            let extra = node.attributes.filter { $0.count == 2 }.map { "\($0[0])=\"\(quote($0[1]))\"" }
            out += "  \(node.id)[label=\"\(quote(node.label))\"\(extra.isEmpty ? "" : ", " + extra.joined(separator: ", "))];\n"
            out += "  \(node.id)[fillcolor=\"\(color(node.hsv))\"];\n"
            if node.hsv.count == 3, node.hsv[2] < 0.5 { out += "  \(node.id)[fontcolor=white];\n" }
            if node.hasDel {
                out += "  \(node.id)->\(node.id)_has_a_del[color=red,style=dotted,len=0.25,weight=10];\n"
                out += "  \(node.id)_has_a_del[label=\"__del__\",shape=doublecircle,height=0.25,color=red,fillcolor=\"0,.5,1\",fontsize=6];\n"
            }
            for edge in node.edges {
                var attributes = ""
                if let label = edge.label {
                    attributes = " [label=\"\(quote(label))\"" + (edge.weight.map { ",weight=\($0)" } ?? "") + "]"
                }
                out += "  \(edge.source) -> \(edge.target)\(attributes);\n"
            }
            if node.skipped > 0 {
                let mark = "too_many_\(node.id)"
                let (label, edge) = graph.backwards
                    ? ("\(node.skipped) more backreferences", "\(mark)->\(node.id)")
                    : ("\(node.skipped) more references", "\(node.id)->\(mark)")
                out += "  \(edge)[color=red,style=dotted,len=0.25,weight=10];\n"
                out += "  \(mark)[label=\"\(label)\",shape=box,height=0.25,color=red,fillcolor=\"\(color(node.skippedHSV))\",fontsize=6];\n"
                out += "  \(mark)[fontcolor=white];\n"
            }
        }
        out += "}\n"
        return out
    }

    /// Escapes text for a quoted DOT string. Control characters but newlines are
    /// written as `\x1b` first: Graphviz would copy them into an SVG, where they
    /// are not allowed; and `&` as `&amp;`, which Graphviz reads back as `&` in
    /// every output, where a bare `&name;` would reach an SVG as an unknown entity.
    static func quote(_ text: String) -> String {
        text.escapingControlCharacters(keepingNewlines: true)
            .replacing("&", with: "&amp;")
            .replacing("\\", with: "\\\\")
            .replacing("\"", with: "\\\"")
            .replacing("\n", with: "\\n")
    }

    /// "h,s,v" with each number as C's %g writes it.
    static func color(_ hsv: [Double]) -> String {
        hsv.map { Text.format("%g", $0) }.joined(separator: ",")
    }
}

/// Writes a graph to a file: DOT as is, or an image (`.png`, `.svg`, any format
/// Graphviz knows by its extension) by running Graphviz's `dot` when installed.
public enum GraphFile {
    public struct Outcome: Sendable {
        /// The DOT file written.
        public var dotPath: String
        /// The image made from it, if one was asked for and made.
        public var imagePath: String?
        /// What to tell the user beyond "written": how the image came out.
        public var note: String?
    }

    public static func write(_ graph: ObjectGraph, to path: String) throws -> Outcome {
        let isDot = path.hasSuffix(".dot") || path.hasSuffix(".gv")
        let dotPath = isDot ? path : Paths.deletingExtension(path) + ".dot"
        do {
            try DotGraphReport.render(graph).write(toFile: dotPath, atomically: true, encoding: .utf8)
        } catch {
            throw PyrometerError("cannot write '\(dotPath)': \(error)")
        }
        if isDot { return Outcome(dotPath: dotPath) }
        let format = Paths.pathExtension(path)
        let command = ["dot", "-T" + format, "-o" + path, dotPath]
        guard let dot = executable("dot") else {
            return Outcome(dotPath: dotPath,
                           note: "Graphviz's dot is not installed: kept \(dotPath); render it with: \(command.joined(separator: " "))")
        }
        guard let outcome = Subprocess.run(dot, Array(command.dropFirst())) else {
            return Outcome(dotPath: dotPath, note: "could not run \(dot)")
        }
        guard outcome.status == 0 else {
            let message = outcome.standardError.trimmed
            return Outcome(dotPath: dotPath,
                           note: "dot failed (exit code \(outcome.status)) while executing \"\(command.joined(separator: " "))\"" + (message.isEmpty ? "" : ": \(message)"))
        }
        return Outcome(dotPath: dotPath, imagePath: path)
    }

    /// The program's path when it is on $PATH.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
