import CPython

/// The code objects one session times, and the mark on each code object (its
/// co_extra slot) that lets the hot path tell timed code from untimed code with
/// one load.
///
/// A mark holds the session generation in its high 32 bits, and in its low bits 1
/// for a code object that is not timed or 2 + n for the n-th timed one. A mark of
/// another generation is no mark: the code is classified again, so a decision
/// of one session never binds the next.
final class TimedCodes {
    struct Entry {
        let code: PyRef
        let name: String
        let file: String
        let firstLine: Int
        let lastLine: Int
        let index: Int32
    }

    private(set) var entries: [Entry] = []
    private var indexByCode: [PyPointer: Int32] = [:]
    let extraIndex: Py_ssize_t
    let selection: ResolvedSelection
    /// The counters these codes are timed into.
    let block: UnsafeMutablePointer<CollectorState>
    /// Absolute paths of the co_filename strings seen, resolved once each.
    private var resolvedFiles: [String: String] = [:]
    private(set) var rulesMatched: Set<Int> = []
    /// Called when a code object becomes timed (the monitoring hook enables its events).
    var onTimed: ((PyRef) throws -> Void)?

    init(selection: ResolvedSelection, memoryMode: Bool) throws {
        self.selection = selection
        let index = TimedCodes.sharedExtraIndex
        guard index >= 0 else { throw PyrometerError("CPython refused a code-object extra slot") }
        self.extraIndex = index
        self.block = LineCollector.makeState(extraIndex: index, memoryMode: memoryMode)
        block.pointee.classifier = Unmanaged.passUnretained(self)
    }

    deinit {
        clearMarks()
        LineCollector.release(block)
    }

    /// co_extra indexes are a per-interpreter resource: one for the whole process.
    nonisolated(unsafe) private static var extraIndexStorage: Py_ssize_t = -1
    private static var sharedExtraIndex: Py_ssize_t {
        if extraIndexStorage < 0 { extraIndexStorage = pyro_code_extra_index() }
        return extraIndexStorage
    }

    private func mark(_ kind: UInt32) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UInt(block.pointee.generation) << 32 | UInt(kind))
    }

    /// Decides, once per generation, whether a code object is timed: chosen
    /// earlier (by `@profile`, a rule or `add`), or selected by -f/--module now.
    @inline(never)
    func classify(_ code: PyPointer) -> Int32? {
        guard pyro_is_code(code) != 0 else { return nil }
        if let index = indexByCode[code] {
            _ = pyro_code_set_extra(code, extraIndex, mark(UInt32(index) + 2))
            return index
        }
        let ref = PyRef(borrowed: code)
        if matchingRules(ref).isEmpty {
            _ = pyro_code_set_extra(code, extraIndex, mark(1))
            return nil
        }
        return try? add(ref)
    }

    /// The -f/--module rules that select a code object (remembered, so options
    /// that select nothing can be reported).
    private func matchingRules(_ code: PyRef) -> [Int] {
        guard !selection.rules.isEmpty else { return [] }
        let file = absolute(code.optionalAttribute("co_filename")?.stringValue ?? "")
        let qualname = code.optionalAttribute("co_qualname")?.stringValue ?? ""
        let flags = code.optionalAttribute("co_flags")?.intValue ?? 0
        let matched = selection.matchingRules(file: file, qualname: qualname, isFunction: flags & Int(CO_OPTIMIZED) != 0)
        rulesMatched.formUnion(matched)
        return matched
    }

    /// `Paths.absolute` of a co_filename, resolved once: classifying a new code
    /// object costs no system call when its file has been seen.
    private func absolute(_ file: String) -> String {
        if let known = resolvedFiles[file] { return known }
        let resolved = Paths.absolute(file)
        resolvedFiles[file] = resolved
        return resolved
    }

    /// Times a code object (from `@profile`, a selection rule or an explicit call).
    @discardableResult
    func add(_ code: PyRef) throws -> Int32 {
        if let index = indexByCode[code.pointer] { return index }
        _ = matchingRules(code)
        let name = code.optionalAttribute("co_qualname")?.stringValue
            ?? code.optionalAttribute("co_name")?.stringValue ?? "?"
        let rawFile = code.optionalAttribute("co_filename")?.stringValue ?? "?"
        let firstLine = code.optionalAttribute("co_firstlineno")?.intValue ?? 1
        let lastLine = max(firstLine, try TimedCodes.lastLine(of: code))
        let index = LineCollector.addCode(firstLine: Int32(firstLine), lastLine: Int32(lastLine), in: block)
        entries.append(Entry(code: code, name: name, file: rawFile, firstLine: firstLine, lastLine: lastLine, index: index))
        indexByCode[code.pointer] = index
        if pyro_code_set_extra(code.pointer, extraIndex, mark(UInt32(index) + 2)) != 0 {
            throw PythonError.fetch()
        }
        try onTimed?(code)
        return index
    }

    /// Takes the marks off the timed codes (untimed ones keep a mark of a
    /// generation no session will have again).
    func clearMarks() {
        for entry in entries { _ = pyro_code_set_extra(entry.code.pointer, extraIndex, nil) }
    }

    /// The last source line of a code object, nested functions and classes included.
    static func lastLine(of code: PyRef) throws -> Int {
        var last = 0
        if let lines = code.optionalAttribute("co_lines") {
            for entry in try lines.call().iterate() {
                if let line = try entry.item(2).intValue { last = max(last, line) }
            }
        }
        if let constants = code.optionalAttribute("co_consts") {
            for constant in try constants.iterate() where pyro_is_code(constant.pointer) != 0 {
                last = max(last, try lastLine(of: constant))
            }
        }
        return last
    }
}
