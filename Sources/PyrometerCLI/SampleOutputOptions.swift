import ArgumentParser
import FoundationEssentials
import Pyrometer

/// The pictures of a sample profile (`--flamegraph`, `--html`, `--speedscope`,
/// `--collapsed`, `--pprof`), shared by `pyrometer sample` and `pyrometer view`:
/// checked before the program runs, written from the result at its end.
struct SampleOutputOptions: ParsableArguments {
    @Option(name: .customLong("flamegraph"), help: ArgumentHelp("Draw an interactive flame graph (self-contained SVG).", valueName: "file.svg"), transform: OutputPath.init)
    var flamegraph: OutputPath?

    @Option(name: .customLong("html"), help: ArgumentHelp("Write one self-contained page: flame graph, left-heavy view, top functions and lines, hot source.", valueName: "file.html"), transform: OutputPath.init)
    var html: OutputPath?

    @Option(name: .customLong("speedscope"), help: ArgumentHelp("Write the stacks in speedscope's JSON format.", valueName: "file.json"), transform: OutputPath.init)
    var speedscope: OutputPath?

    @Option(name: .customLong("collapsed"), help: ArgumentHelp("Write folded stacks (a;b;c COUNT), as flamegraph.pl and inferno read them.", valueName: "file.txt"), transform: OutputPath.init)
    var collapsed: OutputPath?

    @Option(name: .customLong("pprof"), help: ArgumentHelp("Write a gzipped pprof profile (go tool pprof, Pyroscope, Parca).", valueName: "file.pb.gz"), transform: OutputPath.init)
    var pprof: OutputPath?

    /// Each flag, what it writes and the endings its file may have.
    private var requested: [(flag: String, path: OutputPath, kind: String, endings: [String])] {
        var list: [(String, OutputPath, String, [String])] = []
        if let flamegraph { list.append(("--flamegraph", flamegraph, "SVG", [".svg"])) }
        if let html { list.append(("--html", html, "HTML", [".html", ".htm"])) }
        if let speedscope { list.append(("--speedscope", speedscope, "JSON", [".json"])) }
        if let collapsed { list.append(("--collapsed", collapsed, "text", [".txt", ".folded", ".collapsed"])) }
        if let pprof { list.append(("--pprof", pprof, "gzipped protobuf", [".pb.gz", ".pprof"])) }
        return list
    }

    /// Whether any picture was asked for.
    var isEmpty: Bool { requested.isEmpty }

    /// The flags given, for a message ("--flamegraph, --html").
    var flags: String { requested.map(\.flag).joined(separator: ", ") }

    /// Throws a one-line error for a path that cannot be written.
    func checkWritable() throws {
        var seen: [String: String] = [:]
        for (flag, path, kind, endings) in requested {
            let lowered = path.given.lowercased()
            if !endings.contains(where: { lowered.hasSuffix($0) && lowered.count > $0.count }) {
                let found = Paths.pathExtension(path.given)
                throw PyrometerError("\(flag) writes \(kind): give a file ending in \(endings.joined(separator: " or ")) (not \(found.isEmpty ? "'\(path.given)'" : "'.\(found)'"))")
            }
            if let other = seen[path.absolute] {
                throw PyrometerError("\(other) and \(flag) name the same file '\(path.given)'")
            }
            seen[path.absolute] = flag
            try Paths.checkWritable(path.given)
        }
    }

    /// Writes every file asked for (one that cannot be written does not stop
    /// the others; the first failure is thrown at the end).
    func write(_ profile: SampleProfile) throws {
        guard !isEmpty else { return }
        let pictures = SamplePictures(profile)
        var failure: PyrometerError?
        for (flag, path, _, _) in requested {
            do {
                let bytes: [UInt8]
                switch flag {
                case "--flamegraph": bytes = Array(pictures.flameGraph().utf8)
                case "--html": bytes = Array(pictures.html().utf8)
                case "--speedscope": bytes = Array(try pictures.speedscope())
                case "--collapsed": bytes = Array(pictures.collapsed().utf8)
                default: bytes = pictures.pprof()
                }
                try ResultFile.write(Data(bytes), to: path.absolute)
            } catch let error as PyrometerError {
                failure = failure ?? PyrometerError(error.message.replacing("'\(path.absolute)'", with: "'\(path.given)'"))
            } catch {
                failure = failure ?? PyrometerError("cannot write '\(path.given)': \(error)")
            }
        }
        if let failure { throw failure }
    }
}

/// A file named on the command line: as given (for messages), and made absolute
/// when the command line was read, before the program could change directory.
struct OutputPath {
    let given: String
    let absolute: String

    init(_ given: String) {
        self.given = given
        self.absolute = Paths.absoluteAtStart(given)
    }
}
