/// Escaping for the SVG and HTML pictures: any name, path or source line is
/// shown as text, never read as markup or script.
enum Markup {
    /// `text` safe inside an element or a quoted attribute of XML or HTML. The
    /// characters XML 1.0 forbids (C0 controls other than tab and newline, lone
    /// surrogates cannot occur in a Swift String) become U+FFFD; tab and line
    /// breaks are written as character references.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // As references, so that an attribute keeps them (XML turns a raw one into a space).
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
