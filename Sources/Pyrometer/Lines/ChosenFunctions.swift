import CPython
import Foundation

/// The functions a line-level tool watches (`@profile`, `-f`, `--module`) and the
/// hook that reports their lines to the `LineCollector`. Shared by `pyrometer
/// lines` (lines measured in time) and `pyrometer memory` (in traced bytes).
final class ChosenFunctions {
    let selection: FunctionSelection
    private(set) var codes: TimedCodes?
    private var hook: LineHook?
    private(set) var program: ProgramSpec?
    /// `-f`/`--module` options that selected no function, known after `stop`.
    private(set) var unmatchedOptions: [String] = []

    nonisolated(unsafe) static weak var active: ChosenFunctions?

    init(selection: FunctionSelection) {
        self.selection = selection
    }

    /// Native functions this feature adds to `_pyrometer`.
    static var nativeMethods: [NativeMethod] {
        [NativeMethod("profile", .oneArgument(profileDecorator),
                      doc: "profile(func) -> func\n\nMeasure every line of func (a function, method, property or class) under pyrometer lines or pyrometer memory.")]
            + LineHooks.nativeMethods
    }

    func start(_ program: ProgramSpec, memoryMode: Bool) throws {
        self.program = program
        let resolved = selection.resolve(mainFile: program.mainFile,
                                         mainModule: program.kind == .module ? program.target : nil,
                                         mainDirectory: program.mainDirectory)
        let codes = try TimedCodes(selection: resolved)
        let hook = LineHooks.make()
        // With no -f/--module the hook waits for the first @profile: a program that
        // marks nothing (pyrometer memory --top) runs without it.
        var installed = false
        codes.onTimed = { [hook] code in
            if !installed { try hook.install(); installed = true }
            try hook.enable(code)
        }
        LineCollector.reset()
        LineCollector.state.pointee.extraIndex = codes.extraIndex
        LineCollector.state.pointee.memoryMode = memoryMode
        LineCollector.codes = codes
        self.codes = codes
        self.hook = hook
        ChosenFunctions.active = self

        let builtins = try PyRef.importModule("builtins")
        try builtins.setAttribute("profile", NativeModule.module().attribute("profile"))
        if !resolved.rules.isEmpty {
            try hook.install()
            installed = true
            // Functions of modules loaded before the program starts are created already.
            try discoverSelectedCode()
        }
    }

    func stop() {
        hook?.uninstall()
        if let codes, !codes.selection.rules.isEmpty {
            // Selected functions never called are listed too; on 3.11 they are found here.
            try? discoverSelectedCode()
            unmatchedOptions = codes.selection.rules.enumerated()
                .filter { !codes.rulesMatched.contains($0.offset) }.map(\.element.option)
        }
    }

    /// After the results are built: code objects forget their marks.
    func release() {
        codes?.clearMarks()
        LineCollector.codes = nil
        LineCollector.state.pointee.memoryMode = false
        ChosenFunctions.active = nil
    }

    var entries: [TimedCodes.Entry] { codes?.entries ?? [] }

    /// Source lines of a chosen function, for reports that outlive the file.
    func source(of entry: TimedCodes.Entry) -> [String] {
        let inline = program?.kind == .command ? program?.target : nil
        return SourceText.lines(of: Paths.absolute(entry.file), from: entry.firstLine, to: entry.lastLine, inline: inline)
    }

    /// Watches `object`'s code (what the `profile` decorator does).
    func watch(_ object: PyRef) throws {
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

    private static let profileDecorator: @convention(c) (PyPointer?, PyPointer?) -> PyPointer? = { _, object in
        guard let object else { return NativeModule.returnNone() }
        let ref = PyRef(borrowed: object)
        if let session = ChosenFunctions.active {
            do { try session.watch(ref) } catch {
                pyro_set_runtime_error("pyrometer could not measure \(ref.description): \(error)")
                return nil
            }
        }
        return ref.newReference()
    }
}
