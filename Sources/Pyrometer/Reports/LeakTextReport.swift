import FoundationEssentials

/// `pyrometer leaks` as text: the growing types in a table, then for each
/// sampled one the object, where it was allocated, and its chain from a root.
public struct LeakTextReport {
    public init() {}

    public func render(_ report: LeakReport) -> String {
        var out = header(report) + "\n"
        if let problem = report.problem {
            out += (report.leaks.isEmpty ? "Could not judge: " : "Judged with a problem: ") + problem.escapingControlCharacters() + "\n"
        }
        let unit = report.unit
        if report.leaks.isEmpty {
            if report.problem == nil {
                out += "\nNo leak: no type kept growing over \(span(report)) (\(report.totalCounts.last ?? 0) objects, "
                    + Text.format("%.1f MiB", Double(report.totalBytes.last ?? 0) / 1_048_576) + " at the last census).\n"
            }
            return out
        }
        out += "\nGrowing types (\(rule(report))):\n"
        let types = report.leaks.map { $0.type.escapingControlCharacters() }
        let width = max(4, types.map(\.count).max() ?? 4)
        out += "  " + "type".padded(to: width)
            + pad("objects", 11) + pad("per \(unit)", 12) + pad("bytes", 14) + pad("per \(unit)", 14) + pad("rising", 9)
            + pad("confidence", 12) + "\n"
        for (leak, type) in zip(report.leaks, types) {
            out += "  " + type.padded(to: width)
                + pad("\(leak.counts.last ?? 0)", 11) + pad(signed(leak.countGrowth), 12)
                + pad("\(leak.bytes.last ?? 0)", 14) + pad(signed(leak.bytesGrowth), 14)
                + pad("\(leak.risingSteps)/\(leak.steps)", 9) + pad(leak.confidence.map(percent) ?? "-", 12) + "\n"
        }
        out += retention(report, types)
        func shown(_ text: String) -> String { text.escapingControlCharacters() }
        for (leak, type) in zip(report.leaks, types) {
            guard let sample = leak.sample else { continue }
            out += "\n\(type): \(signed(leak.countGrowth)) objects and \(signed(leak.bytesGrowth)) bytes per \(unit)\n"
            out += "  sample:       \(shown(sample.description))\n"
            if let place = sample.allocatedAt {
                out += "  allocated at: \(shown(place.file)):\(place.line) in \(shown(place.function))\n"
            }
            out += "  held by:      \(shown(sample.root))\n"
            out += "  path:         \(shown(sample.path))\n"
            let vias = sample.chain.map { shown($0.via) }
            let viaWidth = max(4, vias.map(\.count).max() ?? 4)
            // A module's namespace dict adds nothing to the path: not listed.
            for (index, step) in sample.chain.enumerated() where index == 0 || !step.via.isEmpty {
                out += "    " + vias[index].padded(to: viaWidth) + "  \(shown(step.type))  \(shown(step.description))\n"
            }
        }
        let missing = report.leaks.filter { $0.sample == nil }.count
        if missing > 0, report.leaks.count > missing {
            out += "\n(\(missing) more growing type\(missing == 1 ? "" : "s") without a sample: only the worst are traced)\n"
        }
        out += "\nLeak found: \(report.leaks.count) type\(report.leaks.count == 1 ? "" : "s") kept growing over \(span(report)).\n"
        return out
    }

    /// What each type's new objects retain and who holds most of it, from the
    /// heap's dominator tree.
    private func retention(_ report: LeakReport, _ types: [String]) -> String {
        let rows = zip(report.leaks, types).compactMap { leak, type in leak.retained.map { (type, $0) } }
        guard !rows.isEmpty else { return "" }
        let width = max(4, rows.map(\.0.count).max() ?? 4)
        var out = "\nWhat the new objects retain (bytes freed if they went) and who holds them:\n"
        out += "  " + "type".padded(to: width) + pad("objects", 11) + pad("retained", 12) + "  held by\n"
        for (type, retention) in rows {
            out += "  " + type.padded(to: width) + pad("\(retention.objects)", 11) + pad(LeakTextReport.bytes(retention.bytes), 12)
            if let holder = retention.heldBy {
                let name = holder.path ?? "\(holder.type) \(holder.description)"
                out += "  " + LeakTextReport.bytes(holder.bytes) + " held by " + name.escapingControlCharacters()
                if holder.objects < retention.objects { out += " (\(holder.objects) of them)" }
            } else {
                out += "  (each from a root of its own)"
            }
            out += "\n"
        }
        return out
    }

    /// Bytes in B, KiB, MiB or GiB, one decimal.
    static func bytes(_ value: Int) -> String {
        let size = Double(value)
        if value < 1024 { return "\(value) B" }
        if size < 1_048_576 { return Text.format("%.1f KiB", size / 1024) }
        if size < 1_073_741_824 { return Text.format("%.1f MiB", size / 1_048_576) }
        return Text.format("%.1f GiB", size / 1_073_741_824)
    }

    private func header(_ report: LeakReport) -> String {
        switch report.mode {
        case .calls:
            return "pyrometer leaks: \(max(0, report.points.count - 1)) calls of \((report.function ?? "?").escapingControlCharacters()), a census after each (Python \(report.python.escapingControlCharacters()))"
        case .interval:
            let command = report.command.joined(separator: " ").replacing("\n", with: " ⏎ ").escapingControlCharacters()
            return "pyrometer leaks: \(command), a census every \(report.interval ?? 0) s (Python \(report.python.escapingControlCharacters()))"
        }
    }

    /// What the table's types passed: the trend test's confidence over the
    /// judged censuses, and the warm-up left out.
    private func rule(_ report: LeakReport) -> String {
        guard let criteria = report.criteria else { return "judged by an earlier rule" }
        let skipped = max(0, min(criteria.skippedCensuses, report.points.count - 1))
        let first = report.points.isEmpty ? 0 : report.points[skipped], last = report.points.last ?? 0
        let over = report.mode == .calls
            ? "calls \(Int(first))-\(Int(last))"
            : Text.format("%.1f", first) + "-" + Text.format("%.1f", last) + " s"
        let floor = "≥\(criteria.minObjects) objects or ≥\(criteria.minBytes) bytes"
        let warmup = skipped == 0 ? "" : "; \(skipped) warm-up census\(skipped == 1 ? "" : "es") left out"
        return "rising steadily over \(over) at ≥\(percent(criteria.confidence)) confidence, by \(floor)\(warmup)"
    }

    private func percent(_ value: Double) -> String {
        // Never round a confidence up to 100%: no census series makes it certain.
        let shown = min(99.9, (value * 1000).rounded(.down) / 10)
        return Text.format(shown == shown.rounded() ? "%.0f%%" : "%.1f%%", shown)
    }

    private func span(_ report: LeakReport) -> String {
        switch report.mode {
        case .calls: return "\(max(0, report.points.count - 1)) calls"
        case .interval: return "\(report.points.count) censuses in \(Text.format("%.1f", (report.points.last ?? 0) - (report.points.first ?? 0))) s"
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(1, width - text.count)) + text
    }

    private func signed(_ value: Double) -> String {
        Text.format("%+.1f", value)
    }
}

/// The chains of the sampled leaks as one object graph, for `--graph`.
public enum LeakGraph {
    public static func make(_ report: LeakReport) -> ObjectGraph {
        var nodes: [ObjectGraph.Node] = []
        var seen = Set<String>()
        var starts: [String] = []
        for leak in report.leaks {
            guard let sample = leak.sample, let last = sample.chain.last else { continue }
            starts.append(last.node)
            for (index, step) in sample.chain.enumerated() where seen.insert(step.node).inserted {
                let depth = Double(sample.chain.count - 1 - index) / Double(max(1, sample.chain.count - 1))
                var node = ObjectGraph.Node(id: step.node, label: step.type + "\n" + step.description,
                                            hsv: index == 0 ? [0.3, 1, 1] : [0, 0, 1 - 0.7 * depth])
                if index + 1 < sample.chain.count {
                    let next = sample.chain[index + 1]
                    let via = next.via.trimmed
                    node.edges.append(.init(source: step.node, target: next.node,
                                            label: via.isEmpty ? nil : via, weight: via.isEmpty ? nil : 10))
                }
                if index == sample.chain.count - 1 {
                    node.attributes = [["xlabel", "\(leak.type) \(Text.format("%+.1f", leak.countGrowth))/\(report.unit)"]]
                }
                nodes.append(node)
            }
        }
        return ObjectGraph(starts: starts, nodes: nodes, backwards: false)
    }
}
