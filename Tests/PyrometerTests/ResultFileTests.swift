import Foundation
import Testing
@testable import Pyrometer

@Suite struct ResultFileTests {
    let profile = LineProfile(timerUnit: 1e-9, python: "3.12.1", command: ["-m", "pkg"], exitStatus: 0, functions: [
        FunctionTimings(name: "Vector.dot", file: "/src/v.py", firstLine: 10,
                        lines: [LineTiming(line: 11, hits: 7, time: 700)], source: ["def dot(self, o):", "    return 1"]),
    ])

    func temporaryFile(_ contents: String? = nil) throws -> String {
        let path = NSTemporaryDirectory() + "pyrometer-test-\(UUID().uuidString).json"
        if let contents { try contents.write(toFile: path, atomically: true, encoding: .utf8) }
        return path
    }

    @Test func roundTrips() throws {
        let path = try temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ResultFile.write(profile, to: path)
        #expect(try ResultFile.read(LineProfile.self, from: path) == profile)
        #expect(try ResultFile.load(path).tool.name == "lines")
    }

    @Test func documentedFieldNames() throws {
        let json = String(decoding: try ResultFile.encode(profile), as: UTF8.self)
        for field in ["\"format\" : \"pyrometer.lines\"", "\"version\" : 1", "\"timerUnit\"", "\"firstLine\" : 10", "\"hits\" : 7", "\"time\" : 700"] {
            #expect(json.contains(field), "\(field)")
        }
    }

    @Test(arguments: [
        ("", "is not a pyrometer result file"),
        ("[1, 2]", "is not a pyrometer result file"),
        (#"{"format": "pyrometer.lines", "version": 99}"#, "version 99"),
        (#"{"format": "pyrometer.lines", "version": 1}"#, "damaged"),
        (#"{"format": "pyrometer.sampling", "version": 1}"#, "cannot show"),
    ])
    func rejectsBadFiles(contents: String, message: String) throws {
        let path = try temporaryFile(contents)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect { try ResultFile.read(LineProfile.self, from: path) } throws: { error in
            (error as? PyrometerError)?.message.contains(message) == true
        }
    }

    @Test func everyToolIsFoundByItsFormat() throws {
        for tool in ToolRegistry.tools {
            #expect(ToolRegistry.tool(forFormat: tool.format)?.name == tool.name)
            #expect(ToolRegistry.tool(named: tool.name)?.format == tool.format)
        }
        #expect(Set(ToolRegistry.tools.map(\.name)) == ["lines", "memory", "timeit", "leaks", "sample"])
    }

    @Test func viewRendersThroughTheRegistry() throws {
        let data = try ResultFile.encode(profile)
        let text = try ToolRegistry.tool(named: "lines")!.view(data, "p.json", ViewOptions(unit: "1e-3"))
        #expect(text.hasPrefix("Timer unit: 0.001 s\n"))
        #expect(text.contains("Function: Vector.dot at line 10"))
    }

    @Test func unwritableTargetsAreRefusedUpFront() throws {
        #expect(throws: PyrometerError.self) { try Paths.checkWritable("/nonexistent-folder/x.json") }
        #expect(throws: PyrometerError.self) { try Paths.checkWritable(NSTemporaryDirectory()) }
        try Paths.checkWritable(NSTemporaryDirectory() + "fresh.json")
    }
}
