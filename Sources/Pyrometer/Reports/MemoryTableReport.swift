import FoundationEssentials

/// Renders a `MemoryProfile`: memory_profiler's table for each file of chosen
/// functions (`Line # / Mem usage / Increment / Occurrences / Line Contents`, and
/// a Peak column on request), then the whole-program summary and top lines.
public struct MemoryTableReport {
    public enum Unit: String, CaseIterable, Sendable {
        case bytes = "B", kib = "KiB", mib = "MiB", gib = "GiB"
        var scale: Double {
            switch self {
            case .bytes: return 1
            case .kib: return 1024
            case .mib: return 1024 * 1024
            case .gib: return 1024 * 1024 * 1024
            }
        }
    }

    public var unit: Unit
    public var showPeak: Bool
    /// How many lines of each top list to print; 0 prints none.
    public var top: Int
    /// Whether the whole-program summary follows the tables (memory_profiler's
    /// `%mprun` and `show_results` print the tables alone).
    public var showSummary: Bool
    /// Digits after the decimal point in the Mem usage, Increment and Peak
    /// columns (memory_profiler's `--precision`; bytes have none).
    public var precision: Int

    public init(unit: Unit = .mib, showPeak: Bool = false, top: Int = 0, showSummary: Bool = true, precision: Int = 3) {
        self.unit = unit
        self.showPeak = showPeak
        self.top = top
        self.showSummary = showSummary
        self.precision = precision
    }

    /// The precisions `--precision` accepts (a Double holds about 15 digits).
    public static let precisions = 0...12

    func amount(_ bytes: Int64, digits: Int = 3) -> String {
        unit == .bytes ? "\(bytes) B" : Text.format("%.\(digits)f", Double(bytes) / unit.scale) + " " + unit.rawValue
    }

    public func render(_ profile: MemoryProfile) -> String {
        var out = ""
        let files = Dictionary(grouping: profile.functions, by: \.file)
        for file in files.keys.sorted() {
            out += renderFile(file, files[file]!.sorted { $0.firstLine < $1.firstLine })
        }
        if showSummary { out += renderSummary(profile) }
        for note in profile.notes ?? [] { out += "Note: \(note.escapingControlCharacters())\n" }
        return out
    }

    func renderFile(_ file: String, _ functions: [FunctionMemory]) -> String {
        let digits = max(Self.precisions.lowerBound, min(Self.precisions.upperBound, precision))
        // The amount columns widen for large numbers or many digits; 12 at least.
        let amounts = functions.flatMap(\.lines).flatMap { [$0.resident, $0.increment] + (showPeak ? [$0.peak] : []) }
        let width = max(12, amounts.map { amount($0, digits: digits).count }.max() ?? 0)
        func row(_ line: String, _ usage: String, _ increment: String, _ peak: String, _ occurrences: String, _ text: String) -> String {
            let pad = { (value: String, width: Int) in String(repeating: " ", count: max(0, width - value.count)) + value }
            return pad(line, 6) + " " + pad(usage, width) + " " + pad(increment, width) + (showPeak ? " " + pad(peak, width) : "")
                + "  " + pad(occurrences, 10) + "   " + text
        }
        let header = row("Line #", "Mem usage", "Increment", "Peak", "Occurrences", "Line Contents")
        var out = "Filename: \(file.escapingControlCharacters())\n\n" + header + "\n" + String(repeating: "=", count: header.count) + "\n"
        for function in functions {
            let measured = Dictionary(function.lines.map { ($0.line, $0) }, uniquingKeysWith: { first, _ in first })
            let last = max(function.firstLine + function.source.count - 1, function.lines.map(\.line).max() ?? function.firstLine,
                           function.firstLine)
            for line in function.firstLine...last {
                let index = line - function.firstLine
                let text = index < function.source.count ? function.source[index].escapingControlCharacters() : ""
                if let m = measured[line] {
                    out += row("\(line)", amount(m.resident, digits: digits), amount(m.increment, digits: digits),
                               amount(m.peak, digits: digits), "\(m.occurrences)", text) + "\n"
                } else {
                    out += row("\(line)", "", "", "", "", text) + "\n"
                }
            }
            out += "\n"
        }
        return out + "\n"
    }

    func renderSummary(_ profile: MemoryProfile) -> String {
        var out = "Peak traced memory: \(amount(profile.peakTraced)); peak RSS\(profile.includesChildren == true ? " (with children)" : ""): \(amount(profile.peakResident)); "
            + "still traced at exit: \(amount(profile.finalTraced)); \(profile.allocations) allocations traced\n"
        if !profile.peakStack.isEmpty {
            out += profile.peakStackCut == true
                ? "Peak reached in (most recent call last; outer frames cut, the innermost \(profile.peakStack.count) kept):\n"
                : "Peak reached in (most recent call last):\n"
            for frame in profile.peakStack.reversed() {
                out += "  File \"\(frame.file.escapingControlCharacters())\", line \(frame.line), in \(frame.function.escapingControlCharacters())\n"
            }
        }
        if top > 0 {
            out += "\n" + renderTop("Top \(top) lines by memory held at the end", profile.topAtEnd)
            out += "\n" + renderTop("Top \(top) lines by memory held at the peak", profile.topAtPeak)
        }
        return out
    }

    func renderTop(_ title: String, _ lines: [LineHolding]) -> String {
        var out = title + ":\n"
        let shown = Array(lines.prefix(top))
        guard !shown.isEmpty else { return out + "  (nothing held)\n" }
        let sizes = shown.map { amount($0.bytes) }
        let counts = shown.map { "\($0.count)" }
        let sizeWidth = max(4, sizes.map(\.count).max()!), countWidth = max(11, counts.map(\.count).max()!)
        func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
        out += "  " + pad("Size", sizeWidth) + "  " + pad("Allocations", countWidth) + "  Line\n"
        for (index, line) in shown.enumerated() {
            let file = line.file.escapingControlCharacters()
            let place = line.line > 0 ? "\(file):\(line.line) (\(line.function.escapingControlCharacters()))" : file
            out += "  " + pad(sizes[index], sizeWidth) + "  " + pad(counts[index], countWidth) + "  " + place + "\n"
        }
        return out
    }
}
