import CPython
import FoundationEssentials

/// The functions a line-level session watches (`@profile`, `-f`, `--module`,
/// `watch`) with their counters, and the hook that reports their lines to the
/// `LineCollector`. Shared by the line session (lines measured in time) and the
/// memory session (in traced bytes). It owns its counters, marks and hook: `stop`
/// takes the hook out, and a later `start` goes on counting into the same
/// counters under a new generation.
final class ChosenFunctions {
    let selection: FunctionSelection
    private let memoryMode: Bool
    private(set) var codes: TimedCodes?
    private var hook: LineHook?
    private var hookInstalled = false
    private(set) var context = SessionContext()
    /// `-f`/`--module` options that selected no function, known after `stop`.
    private(set) var unmatchedOptions: [String] = []
    /// What the report should say about how lines were measured.
    private(set) var notes: [String] = []

    /// The session whose functions `@profile` adds to (one line hook can run at once).
    nonisolated(unsafe) private(set) static weak var running: ChosenFunctions?

    init(selection: FunctionSelection, memoryMode: Bool) {
        self.selection = selection
        self.memoryMode = memoryMode
    }

    /// Native functions this feature adds to `_pyrometer`.
    static var nativeMethods: [NativeMethod] {
        [NativeMethod("profile", .oneArgument(profileDecorator),
                      doc: "profile(func) -> func\n\nMeasure every line of func (a function, method, property or class) under pyrometer lines or pyrometer memory.")]
            + LineHooks.nativeMethods
    }


    func start(_ context: SessionContext) throws {
        if let other = ChosenFunctions.running, other !== self {
            throw PyrometerError("another pyrometer session is measuring lines; stop it first")
        }
        self.context = context
        let codes: TimedCodes
        if let existing = self.codes {
            codes = existing
        } else {
            let resolved = selection.resolve(mainFile: context.mainFile, mainModule: context.mainModule,
                                             mainDirectory: context.mainDirectory)
            codes = try TimedCodes(selection: resolved, memoryMode: memoryMode)
            self.codes = codes
        }
        let hook = LineHooks.make()
        self.hook = hook
        hookInstalled = false
        // With no -f/--module the hook waits for the first timed code: a program
        // that marks nothing (pyrometer memory --top) runs without it.
        codes.onTimed = { [unowned self] code in
            try self.installHook()
            try hook.enable(code)
        }
        LineCollector.activate(codes.block, generation: SessionGeneration.next())
        ChosenFunctions.running = self
        do {
            if context.program != nil {
                // kernprof's convenience: `@profile` works without an import.
                try PyRef.importModule("builtins").setAttribute("profile", ChosenFunctions.builtinProfile())
            }
            if !codes.selection.rules.isEmpty || !codes.entries.isEmpty {
                try installHook()
                for entry in codes.entries { try hook.enable(entry.code) }
            }
            if !codes.selection.rules.isEmpty {
                // Functions of modules loaded before the start are created already.
                try discoverSelectedCode()
            }
        } catch {
            stop()
            throw error
        }
    }

    /// What kernprof's and memory_profiler's builtins accept (`@profile(precision=4)`,
    /// `with profile:`...), from the Python package; the native decorator alone
    /// when the package cannot be imported.
    static func builtinProfile() throws -> PyRef {
        if let object = try? PyRef.importModule("pyrometer._builtin_profile").attribute("profile") { return object }
        PyErr_Clear()
        return try NativeModule.module().attribute("profile")
    }

    private func installHook() throws {
        guard !hookInstalled, let hook else { return }
        try hook.install()
        hookInstalled = true
    }

    func stop() {
        guard ChosenFunctions.running === self else { return }
        if let codes, !codes.selection.rules.isEmpty {
            // Selected functions never called are listed too; on 3.11 they are found here.
            try? discoverSelectedCode()
            unmatchedOptions = codes.selection.rules.enumerated()
                .filter { !codes.rulesMatched.contains($0.offset) }.map(\.element.option)
        }
        if hookInstalled, let hook {
            hook.uninstall()
            notes += hook.problems.filter { !notes.contains($0) }
        }
        hookInstalled = false
        hook = nil
        codes?.onTimed = nil
        LineCollector.deactivate()
        ChosenFunctions.running = nil
    }

    /// Zeroes the counters (a forked child that reports on its own).
    func forgetCounts() {
        if let codes { LineCollector.zeroCounts(codes.block) }
    }

    var entries: [TimedCodes.Entry] { codes?.entries ?? [] }

    /// The counters of one timed code object, for lines that ran.
    func slots(of entry: TimedCodes.Entry) -> [(line: Int, slot: LineSlot)] {
        guard let codes else { return [] }
        return LineCollector.slots(ofCode: entry.index, in: codes.block)
    }

    /// Source lines of a chosen function, for reports that outlive the file.
    func source(of entry: TimedCodes.Entry) -> [String] {
        let inline = context.program?.kind == .command ? context.program?.target : nil
        return SourceText.lines(of: Paths.absolute(entry.file), from: entry.firstLine, to: entry.lastLine, inline: inline)
    }

    /// Watches `object`'s code (what the `profile` decorator does). Before the
    /// first start, the counters are made for an unknown program.
    func watch(_ object: PyRef) throws {
        if codes == nil {
            codes = try TimedCodes(selection: ResolvedSelection(rules: []), memoryMode: memoryMode)
        }
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
        if let session = ChosenFunctions.running {
            do { try session.watch(ref) } catch {
                pyro_set_runtime_error("pyrometer could not measure \(ref.description): \(error)")
                return nil
            }
        }
        return ref.newReference()
    }
}
