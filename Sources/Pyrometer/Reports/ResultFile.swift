import Foundation

/// Saving results as versioned JSON (`-o FILE.json`) and reading them back
/// (`pyrometer view FILE.json`). Every file starts with `format` and `version`.
public enum ResultFile {
    public enum Contents {
        case lines(LineProfile)
        case timeit(TimeitResult)
        case memory(MemoryProfile)
        case leaks(LeakReport)
    }

    private struct Header: Decodable {
        let format: String
        let version: Int
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    public static func write<T: Encodable>(_ value: T, to path: String) throws {
        do {
            try encode(value).write(to: URL(fileURLWithPath: path))
        } catch {
            throw PyrometerError("cannot write '\(path)': \(error.localizedDescription)")
        }
    }

    public static func read(_ path: String) throws -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PyrometerError("cannot read '\(path)': no such file or not readable")
        }
        let decoder = JSONDecoder()
        guard let header = try? decoder.decode(Header.self, from: data) else {
            throw PyrometerError("'\(path)' is not a pyrometer result file (expected JSON with \"format\" and \"version\")")
        }
        func decode<T: Decodable>(_ type: T.Type, upTo version: Int) throws -> T {
            guard header.version <= version else {
                throw PyrometerError("'\(path)' is \(header.format) version \(header.version); this pyrometer reads up to version \(version)")
            }
            do {
                return try decoder.decode(type, from: data)
            } catch {
                throw PyrometerError("'\(path)' is a damaged \(header.format) file: \(describe(error))")
            }
        }
        switch header.format {
        case LineProfile.format:
            return .lines(try decode(LineProfile.self, upTo: LineProfile.currentVersion))
        case TimeitResult.format:
            return .timeit(try decode(TimeitResult.self, upTo: TimeitResult.currentVersion))
        case MemoryProfile.format:
            return .memory(try decode(MemoryProfile.self, upTo: MemoryProfile.currentVersion))
        case LeakReport.format:
            return .leaks(try decode(LeakReport.self, upTo: LeakReport.currentVersion))
        default:
            throw PyrometerError("'\(path)' holds '\(header.format)' results, which this pyrometer cannot show")
        }
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "bad value at '\(path)'"
        default: return "\(error)"
        }
    }
}
