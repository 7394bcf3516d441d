import FoundationEssentials

/// Source lines of the files a report shows.
enum SourceText {
    /// Lines `first...last` (1-based) of `file`, or of `inline` code for `-c`
    /// programs (file `<string>`). Empty when the source cannot be read.
    static func lines(of file: String, from first: Int, to last: Int, inline: String? = nil) -> [String] {
        let text: String?
        if file == "<string>", let inline {
            text = inline
        } else if let data = FileManager.default.contents(atPath: file) {
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = nil
        }
        guard let text, first >= 1, last >= first else { return [] }
        var all = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if all.last == "" { all.removeLast() }
        guard first <= all.count else { return [] }
        var block = Array(all[(first - 1)..<min(last, all.count)])
        while let tail = block.last, tail.trimmed.isEmpty { block.removeLast() }
        return block
    }
}
