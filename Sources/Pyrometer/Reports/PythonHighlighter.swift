/// Colours Python source for a terminal with ANSI escape sequences (the 16
/// standard colours): keywords, names being defined, builtins and constants,
/// strings, numbers, comments, decorators. It reads a run of consecutive lines, so
/// a triple-quoted string that spans lines is coloured as one. Each coloured token
/// ends with a reset, so cutting the text after any line leaves the terminal plain.
public enum PythonHighlighter {
    static let keywordColor = "35"
    static let definedNameColor = "1;34"
    static let builtinColor = "36"
    static let stringColor = "32"
    static let numberColor = "33"
    static let commentColor = "90"
    static let decoratorColor = "36"

    /// `text` in the colour of an SGR code, then back to plain.
    static func paint(_ text: String, _ code: String) -> String {
        "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    static let keywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
        "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
        "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ]
    static let builtins: Set<String> = [
        "abs", "all", "any", "bool", "bytearray", "bytes", "callable", "chr", "dict", "dir", "divmod",
        "enumerate", "filter", "float", "format", "frozenset", "getattr", "hasattr", "hash", "id", "input",
        "int", "isinstance", "issubclass", "iter", "len", "list", "map", "max", "min", "next", "object",
        "open", "ord", "pow", "print", "range", "repr", "reversed", "round", "set", "setattr", "slice",
        "sorted", "str", "sum", "super", "tuple", "type", "vars", "zip", "self", "cls",
    ]

    /// The lines, coloured; the same count, in the same order.
    public static func highlight(_ lines: [String]) -> [String] {
        var openString: String?   // the closing quotes of a triple-quoted string still open
        return lines.map { highlight(line: $0, openString: &openString) }
    }

    static func highlight(line: String, openString: inout String?) -> String {
        let characters = Array(line)
        var out = ""
        var index = 0
        var defining = false   // the previous word was `def` or `class`
        let firstNonBlank = characters.firstIndex { $0 != " " && $0 != "\t" }

        if let closing = openString {
            let end = stringEnd(characters, from: 0, closing: Array(closing))
            out += paint(String(characters[0..<(end ?? characters.count)]), stringColor)
            guard let end else { return out }
            openString = nil
            index = end
        }
        while index < characters.count {
            let character = characters[index]
            if character == "#" {
                out += paint(String(characters[index...]), commentColor)
                break
            }
            if let (prefixLength, quote) = stringStart(characters, at: index) {
                let quoteStart = index + prefixLength
                let triple = quoteStart + 2 < characters.count && characters[quoteStart + 1] == quote && characters[quoteStart + 2] == quote
                let closing = triple ? [quote, quote, quote] : [quote]
                let end = stringEnd(characters, from: quoteStart + closing.count, closing: closing)
                out += paint(String(characters[index..<(end ?? characters.count)]), stringColor)
                if end == nil, triple { openString = String(closing) }
                index = end ?? characters.count
                defining = false
                continue
            }
            if character == "@", index == firstNonBlank {
                var end = index + 1
                while end < characters.count, isNamePart(characters[end]) || characters[end] == "." { end += 1 }
                out += paint(String(characters[index..<end]), decoratorColor)
                index = end
                continue
            }
            if isNameStart(character) {
                var end = index + 1
                while end < characters.count, isNamePart(characters[end]) { end += 1 }
                let word = String(characters[index..<end])
                if defining {
                    out += paint(word, definedNameColor)
                    defining = false
                } else if keywords.contains(word) {
                    out += paint(word, ["True", "False", "None"].contains(word) ? builtinColor : keywordColor)
                    defining = word == "def" || word == "class"
                } else if builtins.contains(word) {
                    out += paint(word, builtinColor)
                } else {
                    out += word
                }
                index = end
                continue
            }
            if character.isASCII, character.isNumber || (character == "." && index + 1 < characters.count && characters[index + 1].isASCII && characters[index + 1].isNumber) {
                var end = index + 1
                while end < characters.count {
                    let next = characters[end]
                    let previous = characters[end - 1]
                    if next.isASCII && (next.isLetter || next.isNumber || next == "_" || next == ".") {
                        end += 1
                    } else if (next == "-" || next == "+") && (previous == "e" || previous == "E") && !isHex(characters, from: index) {
                        end += 1
                    } else {
                        break
                    }
                }
                out += paint(String(characters[index..<end]), numberColor)
                index = end
                continue
            }
            out.append(character)
            index += 1
        }
        return out
    }

    private static func isNameStart(_ c: Character) -> Bool { c == "_" || c.isLetter }
    private static func isNamePart(_ c: Character) -> Bool { c == "_" || c.isLetter || c.isNumber }

    private static func isHex(_ characters: [Character], from index: Int) -> Bool {
        index + 1 < characters.count && characters[index] == "0" && (characters[index + 1] == "x" || characters[index + 1] == "X")
    }

    /// A string literal starting at `index` (with a prefix such as r, b, f, rb):
    /// the prefix's length and the quote character.
    private static func stringStart(_ characters: [Character], at index: Int) -> (Int, Character)? {
        if characters[index] == "'" || characters[index] == "\"" { return (0, characters[index]) }
        // A prefix is part of a string only at the start of a word.
        if index > 0, isNamePart(characters[index - 1]) { return nil }
        var length = 0
        while length < 2, index + length < characters.count, "rRbBuUfF".contains(characters[index + length]) { length += 1 }
        guard length > 0, index + length < characters.count else { return nil }
        let quote = characters[index + length]
        return quote == "'" || quote == "\"" ? (length, quote) : nil
    }

    /// The index just past `closing` from `start` on (backslashes escape), or nil
    /// when the line ends first.
    private static func stringEnd(_ characters: [Character], from start: Int, closing: [Character]) -> Int? {
        var index = start
        while index < characters.count {
            if characters[index] == "\\" { index += 2; continue }
            if index + closing.count <= characters.count, Array(characters[index..<index + closing.count]) == closing {
                return index + closing.count
            }
            index += 1
        }
        return nil
    }
}
