import FoundationEssentials
import Glibc

/// Saving results as versioned JSON (`-o FILE.json`) and reading them back
/// (`pyrometer view FILE.json`). Every file starts with its `ResultHeader`; the
/// header names the tool (found in `ToolRegistry`) that reads the rest.
public enum ResultFile {
    public static func encode<Result: ToolResult>(_ value: Result) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(StoredResult(result: value))
    }

    public static func write<Result: ToolResult>(_ value: Result, to path: String) throws {
        try write(encode(value), to: path)
    }

    /// Writes `data` to `path`. A regular file is replaced whole (written beside
    /// it, then renamed over it), so a reader never sees half a file, even while
    /// `-i` rewrites it during the run.
    public static func write(_ data: Data, to path: String) throws {
        if Paths.isDirectory(path) == nil || Paths.isRegularFile(path) {
            let partial = "\(path).partial-\(getpid())"
            if (try? Paths.write(data, to: partial)) != nil {
                if rename(partial, path) == 0 { return }
                unlink(partial)
            }
        }
        try Paths.write(data, to: path)
    }

    /// The tool that wrote the file at `path`, with the file's contents.
    public static func load(_ path: String) throws -> (tool: Tool, data: Data) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PyrometerError("cannot read '\(path)': no such file or not readable")
        }
        guard let header = try? JSONDecoder().decode(ResultHeader.self, from: data) else {
            throw PyrometerError("'\(path)' is not a pyrometer result file (expected JSON with \"format\" and \"version\")")
        }
        guard let tool = ToolRegistry.tool(forFormat: header.format) else {
            throw PyrometerError("'\(path)' holds '\(header.format.escapingControlCharacters())' results, which this pyrometer cannot show")
        }
        guard header.version >= 1 else {
            throw PyrometerError("'\(path)' is \(header.format) version \(header.version); versions start at 1")
        }
        guard header.version <= tool.currentVersion else {
            throw PyrometerError("'\(path)' is \(header.format) version \(header.version); this pyrometer reads up to version \(tool.currentVersion)")
        }
        return (tool, data)
    }

    /// Reads a file of one tool's format.
    public static func read<Result: ToolResult>(_ type: Result.Type, from path: String) throws -> Result {
        let (tool, data) = try load(path)
        guard tool.format == Result.format else {
            throw PyrometerError("'\(path)' holds \(tool.format) results, not \(Result.format)")
        }
        do {
            return try decode(type, from: data)
        } catch let error as PyrometerError {
            throw PyrometerError("'\(path)' \(error.message)")
        }
    }

    /// Decodes a result whose header has been checked, and validates its values.
    static func decode<Result: ToolResult>(_ type: Result.Type, from data: Data) throws -> Result {
        let result: Result
        do {
            result = try JSONDecoder().decode(type, from: data)
        } catch {
            throw PyrometerError("is a damaged \(Result.format) file: \(describe(error))")
        }
        try validate(result, fileSize: data.count)
        return result
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing field '\(key.stringValue.escapingControlCharacters())'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription.escapingControlCharacters() : "bad value at '\(path.escapingControlCharacters())'"
        default: return "\(error)".escapingControlCharacters()
        }
    }
}
