/// The two fields every result file starts with: which tool wrote it, and which
/// version of that tool's format. Written beside the result's own fields, so a
/// file reads `{"format": "pyrometer.lines", "version": 1, ...}`.
public struct ResultHeader: Codable, Equatable, Sendable {
    public var format: String
    public var version: Int

    public init(format: String, version: Int) {
        self.format = format
        self.version = version
    }
}

/// A tool's result: a Codable value with the format name and version its files carry.
public protocol ToolResult: Codable, Sendable {
    static var format: String { get }
    static var currentVersion: Int { get }
    /// Checks a decoded file's values before any renderer uses them
    /// (Reports/ResultValidation.swift).
    func validate(_ check: inout ResultCheck) throws
}

extension ToolResult {
    public static var header: ResultHeader { ResultHeader(format: format, version: currentVersion) }
}

/// A result as it is written: its header, then its fields, in one JSON object.
struct StoredResult<Result: ToolResult>: Encodable {
    let result: Result

    func encode(to encoder: Encoder) throws {
        try Result.header.encode(to: encoder)
        try result.encode(to: encoder)
    }
}
