import Glibc

/// Text helpers the engine needs without all of Foundation (it links only
/// FoundationEssentials, so that a wheel carries a small runtime).
enum Text {
    /// One number formatted by a printf conversion (`%.1f`, `%+.1f`, `%g`...).
    static func format(_ conversion: String, _ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let written = conversion.withCString { pattern in
            withVaList([value]) { vsnprintf(&buffer, buffer.count, pattern, $0) }
        }
        return written < 0 ? "\(value)" : String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension String {
    /// Without leading and trailing whitespace (spaces, tabs, newlines).
    var trimmed: String {
        String(self.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    /// Padded with spaces on the right to `width` characters (never cut).
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
