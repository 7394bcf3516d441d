/// Numbers of a comparison as the report and the condition messages print them.
public enum ChangeFormat {
    /// A value: `1.23 msec`, `12.5 MiB`, `1,000`, `12.5%`; `-` when unknown.
    public static func value(_ value: Double?, _ quantity: Quantity) -> String {
        guard let value else { return "-" }
        return magnitude(value, quantity, signed: false)
    }

    /// A change with its relative size: `+1.2 msec (+10.0%)`; `-` when unknown.
    public static func change(_ change: Change, _ quantity: Quantity) -> String {
        guard let difference = change.change else { return "-" }
        let text = magnitude(difference, quantity, signed: true)
        if difference == 0 { return text }
        guard let relative = change.relative else { return "\(text) (new)" }
        return "\(text) (\(percent(relative)))"
    }

    /// A relative change: `+10.0%`, `-50.0%`.
    public static func percent(_ fraction: Double) -> String {
        Text.format(abs(fraction) >= 10 ? "%+.0f%%" : "%+.1f%%", fraction * 100)
    }

    static func magnitude(_ value: Double, _ quantity: Quantity, signed: Bool) -> String {
        let sign = signed ? (value > 0 ? "+" : value < 0 ? "-" : "") : (value < 0 ? "-" : "")
        let size = abs(value)
        switch quantity {
        case .seconds:
            // Beyond a million seconds (a damaged or hand-made file), an exponent rather than 300 digits.
            if size >= 1e6 { return sign + Text.format("%.3g", size) + " sec" }
            return sign + (size == 0 ? "0 sec" : TimeFormat.auto(size))
        case .bytes:
            let units: [(String, Double)] = [("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1024)]
            if let (name, scale) = units.first(where: { size >= $0.1 }) {
                return sign + Text.format(size / scale >= 1e6 ? "%.3g" : "%.1f", size / scale) + " " + name
            }
            return sign + Text.format("%.0f", size) + " B"
        case .count:
            return sign + grouped(size)
        case .percent:
            return sign + Text.format("%.1f", size) + (signed ? " pt" : "%")
        }
    }

    /// A whole number with thousands separators (fractions to one decimal).
    static func grouped(_ size: Double) -> String {
        guard size < 1e18 else { return Text.format("%.3g", size) }
        if size.rounded() != size { return Text.format("%.1f", size) }
        var digits = Array(String(Int64(size)))
        var out: [Character] = []
        while digits.count > 3 {
            out.insert(contentsOf: [","] + digits.suffix(3), at: 0)
            digits.removeLast(3)
        }
        return String(digits + out)
    }
}
