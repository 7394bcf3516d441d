// swift-tools-version:6.0
//
// pyrometer is built against one CPython: the interpreter named by $PYTHON, else
// `python3` on PATH. The manifest asks that interpreter where its headers and its
// shared libpython are, so `swift build` needs no hand-set paths.
import PackageDescription
import Foundation

struct PythonInstall {
    var executable: String
    var version: String
    var includeDir: String
    var libDir: String
    var library: String   // the name passed to -l, e.g. python3.11
}

func die(_ message: String) -> Never {
    fatalError("\n\npyrometer: \(message)\n")
}

func locatePython() -> PythonInstall {
    let env = ProcessInfo.processInfo.environment
    let requested = env["PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
    let query = """
    import sys, sysconfig, os
    v = sysconfig.get_config_var
    print(os.path.realpath(sys.executable))
    print("%d.%d" % sys.version_info[:2])
    print(sysconfig.get_paths()["include"])
    print(v("LIBDIR") or "")
    print(v("LDLIBRARY") or "")
    print(v("Py_ENABLE_SHARED") or 0)
    """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [requested, "-c", query]
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch {
        die("cannot run the Python '\(requested)' (set PYTHON to a CPython 3.11-3.13 interpreter)")
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        die("'\(requested)' did not answer sysconfig questions; set PYTHON to a CPython 3.11-3.13 interpreter")
    }
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard lines.count >= 6 else { die("unexpected answer from '\(requested)'") }
    let (exe, version, include, libDir, ldLibrary, shared) = (lines[0], lines[1], lines[2], lines[3], lines[4], lines[5])
    guard ["3.11", "3.12", "3.13"].contains(version) else {
        die("\(exe) is Python \(version); pyrometer supports CPython 3.11, 3.12 and 3.13 (choose one with PYTHON=...)")
    }
    guard FileManager.default.fileExists(atPath: include + "/Python.h") else {
        die("\(exe) has no C headers (Python.h not in \(include)); install its development files, e.g. 'apt-get install python\(version)-dev', or use a pyenv build")
    }
    let libName = "python" + version
    guard shared == "1", FileManager.default.fileExists(atPath: libDir + "/lib\(libName).so") || ldLibrary.hasSuffix(".so") else {
        die("\(exe) was built without a shared libpython (lib\(libName).so); install libpython\(version)-dev, or rebuild it with --enable-shared (pyenv: PYTHON_CONFIGURE_OPTS=--enable-shared pyenv install \(version))")
    }
    return PythonInstall(executable: exe, version: version, includeDir: include, libDir: libDir, library: libName)
}

let python = locatePython()
let packageRoot = Context.packageDirectory

let cPythonSettings: [CSetting] = [
    .unsafeFlags(["-I" + python.includeDir]),
    .define("PYROMETER_PYTHON_EXECUTABLE", to: "\"\(python.executable)\""),
    .define("PYROMETER_SOURCE_ROOT", to: "\"\(packageRoot)\""),
]
let swiftPythonSettings: [SwiftSetting] = [
    // Python.h turns on _GNU_SOURCE; the C modules Foundation brings must see the
    // same system headers, or clang rejects the two views of structs such as fd_set.
    .unsafeFlags(["-Xcc", "-I" + python.includeDir, "-Xcc", "-D_GNU_SOURCE"]),
]

let package = Package(
    name: "pyrometer",
    products: [
        .executable(name: "pyrometer", targets: ["pyrometer"]),
        .library(name: "Pyrometer", targets: ["Pyrometer"]),
        // The engine as the CPython extension module `_pyrometer` (lib_pyrometer.so).
        .library(name: "_pyrometer", type: .dynamic, targets: ["PyrometerModule"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Python.h for Swift, plus shims for what Swift cannot import.
        .target(name: "CPython", cSettings: cPythonSettings),
        // Links libpython. Only programs that embed the interpreter depend on it;
        // the extension module must not (the loading interpreter provides the symbols).
        .target(
            name: "PythonEmbedding",
            linkerSettings: [.unsafeFlags([
                "-L" + python.libDir, "-l" + python.library,
                "-Xlinker", "-rpath", "-Xlinker", python.libDir,
            ])]
        ),
        .target(name: "Pyrometer", dependencies: ["CPython"], swiftSettings: swiftPythonSettings),
        // The commands: parsing and wiring, shared by the executable and the
        // extension module (the wheel's console script runs them in-process).
        .target(
            name: "PyrometerCLI",
            dependencies: ["Pyrometer", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftPythonSettings
        ),
        .executableTarget(
            name: "pyrometer",
            dependencies: ["PyrometerCLI", "PythonEmbedding"],
            swiftSettings: swiftPythonSettings
        ),
        .target(name: "PyrometerModule", dependencies: ["Pyrometer", "PyrometerCLI", "CPython"], swiftSettings: swiftPythonSettings),
        .testTarget(
            name: "PyrometerTests",
            dependencies: ["Pyrometer", "CPython", "PythonEmbedding"],
            swiftSettings: swiftPythonSettings
        ),
    ]
)
