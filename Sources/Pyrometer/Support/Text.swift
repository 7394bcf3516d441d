import Glibc

/// Text helpers the engine needs without all of Foundation (it links only
/// FoundationEssentials, so that a wheel carries a small runtime).
enum Text {
    /// One number formatted by a printf conversion (`%.1f`, `%+.1f`, `%g`...).
    /// The buffer grows when the text is longer than 63 bytes (`%.0f` of 1e300).
    static func format(_ conversion: String, _ value: Double) -> String {
        var size = 64
        while true {
            var buffer = [CChar](repeating: 0, count: size)
            let written = conversion.withCString { pattern in
                withVaList([value]) { vsnprintf(&buffer, buffer.count, pattern, $0) }
            }
            if written < 0 { return "\(value)" }
            if Int(written) < size {
                return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            size = Int(written) + 1
        }
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

extension String {
    /// Safe to print on a terminal or to put in a label: control characters (C0
    /// but tab, DEL, C1: ESC, BEL, backspace, CSI...) written as `\x1b` (and
    /// `\n`, `\r`), as Python's repr writes them, so text from a program or a
    /// result file can neither drive the terminal nor break a line-oriented or
    /// XML output.
    /// `keepingNewlines` leaves `\n` as it is (multi-line labels).
    public func escapingControlCharacters(keepingNewlines: Bool = false) -> String {
        func isControl(_ scalar: Unicode.Scalar) -> Bool {
            let value = scalar.value
            if value == 0x09 || (keepingNewlines && value == 0x0A) { return false }
            return value < 0x20 || (0x7F...0x9F).contains(value)
        }
        guard unicodeScalars.contains(where: isControl) else { return self }
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if !isControl(scalar) {
                out.append(scalar)
            } else if scalar == "\n" || scalar == "\r" {
                out.append(contentsOf: (scalar == "\n" ? "\\n" : "\\r").unicodeScalars)
            } else {
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\x" + (hex.count < 2 ? "0" + hex : hex)).unicodeScalars)
            }
        }
        return String(out)
    }

    /// Text for XML content or a quoted attribute (SVG): control characters
    /// escaped as above, then `& < > " '` as entities.
    public var xmlEscaped: String {
        // Scalar by scalar: a quote followed by a combining mark is one Character.
        var out = String.UnicodeScalarView()
        for scalar in escapingControlCharacters().unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&apos;".unicodeScalars)
            case "\u{FFFE}", "\u{FFFF}":  // not characters in XML
                out.append(contentsOf: "\\u\(String(scalar.value, radix: 16))".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
