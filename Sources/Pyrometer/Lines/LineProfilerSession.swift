import CPython
import Foundation

/// `pyrometer lines`: times every line of the chosen functions while a program
/// runs, and hands a `LineProfile` to `onResult` when it ends.
public final class LineProfilerSession: ProgramObserver {
    public let selection: FunctionSelection
    /// Receives the profile once the program has ended (however it ended).
    public var onResult: (LineProfile) -> Void
    /// `-f`/`--module` options that selected no function, known once the program ended.
    public private(set) var unmatchedOptions: [String] = []

    private var codes: TimedCodes?
    private var hook: LineHook?
    private var clock = TickClock()
    private var program: ProgramSpec?

    nonisolated(unsafe) static weak var active: LineProfilerSession?

    public init(selection: FunctionSelection, onResult: @escaping (LineProfile) -> Void) {
        self.selection = selection
        self.onResult = onResult
    }

    /// Native functions this tool adds to `_pyrometer`; contributed before the
    /// interpreter starts.
    public static func registerNativeMethods() {
        NativeModule.contribute([
            NativeMethod("profile", .oneArgument(profileDecorator),
                         doc: "profile(func) -> func\n\nTime every line of func (a function, method, property or class) under pyrometer lines."),
        ] + LineHooks.nativeMethods)
    }

    public func programWillStart(_ program: ProgramSpec) throws {
        self.program = program
        let resolved = selection.resolve(mainFile: program.mainFile,
                                         mainModule: program.kind == .module ? program.target : nil,
                                         mainDirectory: program.mainDirectory)
        let codes = try TimedCodes(selection: resolved)
        let hook = LineHooks.make()
        codes.onTimed = { [hook] code in try hook.enable(code) }
        LineCollector.reset()
        LineCollector.state.pointee.extraIndex = codes.extraIndex
        LineCollector.codes = codes
        self.codes = codes
        self.hook = hook
        LineProfilerSession.active = self

        let builtins = try PyRef.importModule("builtins")
        try builtins.setAttribute("profile", NativeModule.module().attribute("profile"))
        try hook.install()
        // Functions of modules loaded before the program starts are created already.
        if !resolved.rules.isEmpty { try discoverSelectedCode() }
        clock.start()
    }

    public func programDidEnd() {
        clock.stop()
        hook?.uninstall()
        if let codes, !codes.selection.rules.isEmpty {
            // Selected functions never called are listed too; on 3.11 they are found here.
            try? discoverSelectedCode()
            unmatchedOptions = codes.selection.rules.enumerated()
                .filter { !codes.rulesMatched.contains($0.offset) }.map(\.element.option)
        }
        onResult(makeProfile())
        codes?.clearMarks()
        LineCollector.codes = nil
        LineProfilerSession.active = nil
    }

    /// Times `object`'s code (what the `profile` decorator does).
    func time(_ object: PyRef) throws {
        guard let codes else { return }
        for code in CodeDiscovery.codes(of: object) { try codes.add(code) }
    }

    private func discoverSelectedCode() throws {
        guard let codes else { return }
        let patterns: [FilePattern] = codes.selection.rules.flatMap { rule -> [FilePattern] in
            switch rule.kind {
            case .function(let alternatives): return alternatives.map(\.0)
            case .everyFunction(let pattern): return [pattern]
            }
        }
        for code in try CodeDiscovery.codesOfLoadedModules(where: { file in patterns.contains { $0.matches(file) } }) {
            _ = LineCollector.timedIndex(UnsafeMutableRawPointer(code.pointer))
        }
    }

    private func makeProfile() -> LineProfile {
        let version = String(cString: Py_GetVersion()).split(separator: " ").first.map(String.init) ?? "?"
        var functions: [FunctionTimings] = []
        for entry in codes?.entries ?? [] {
            let lines = LineCollector.counters(ofCode: entry.index).map {
                LineTiming(line: $0.line, hits: Int64($0.hits), time: clock.nanoseconds($0.ticks))
            }
            let file = Paths.absolute(entry.file)
            let inline = program?.kind == .command ? program?.target : nil
            functions.append(FunctionTimings(
                name: entry.name, file: entry.file, firstLine: entry.firstLine, lines: lines,
                source: SourceText.lines(of: file, from: entry.firstLine, to: entry.lastLine, inline: inline)))
        }
        functions.sort { ($0.file, $0.firstLine, $0.name) < ($1.file, $1.firstLine, $1.name) }
        return LineProfile(timerUnit: 1e-9, python: version, command: program?.commandLine ?? [], functions: functions)
    }

    private static let profileDecorator: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, object in
        guard let object else { return NativeModule.returnNone() }
        let ref = PyRef(borrowed: object)
        if let session = LineProfilerSession.active {
            do { try session.time(ref) } catch {
                pyro_set_runtime_error("pyrometer could not time \(ref.description): \(error)")
                return nil
            }
        }
        return ref.newReference()
    }
}
