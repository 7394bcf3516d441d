import CPython

/// The code objects being timed, and the mark on each code object (its co_extra
/// slot) that lets the hot path tell timed code from untimed code with one load.
///
/// The mark is 0 for a code object not yet classified, 1 for one that is not
/// timed, and 2 + n for the n-th timed code object.
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
    private(set) var rulesMatched: Set<Int> = []
    /// Called when a code object becomes timed (the monitoring hook enables its events).
    var onTimed: ((PyRef) throws -> Void)?

    init(selection: ResolvedSelection) throws {
        self.selection = selection
        let index = TimedCodes.sharedExtraIndex
        guard index >= 0 else { throw PyrometerError("CPython refused a code-object extra slot") }
        self.extraIndex = index
    }

    /// co_extra indexes are a per-interpreter resource: one for the whole process.
    nonisolated(unsafe) private static var extraIndexStorage: Py_ssize_t = -1
    private static var sharedExtraIndex: Py_ssize_t {
        if extraIndexStorage < 0 { extraIndexStorage = pyro_code_extra_index() }
        return extraIndexStorage
    }

    static func mark(forTimed index: Int32) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: Int(index) + 2)
    }
    static var untimedMark: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: 1) }

    /// Decides once whether a code object is selected by -f/--module.
    @inline(never)
    func classify(_ code: PyPointer) -> Int32? {
        guard pyro_is_code(code) != 0 else { return nil }
        let ref = PyRef(borrowed: code)
        if matchingRules(ref).isEmpty {
            _ = pyro_code_set_extra(code, extraIndex, TimedCodes.untimedMark)
            return nil
        }
        return try? add(ref)
    }

    /// The -f/--module rules that select a code object (remembered, so options
    /// that select nothing can be reported).
    private func matchingRules(_ code: PyRef) -> [Int] {
        guard !selection.rules.isEmpty else { return [] }
        let file = Paths.absolute(code.optionalAttribute("co_filename")?.stringValue ?? "")
        let qualname = code.optionalAttribute("co_qualname")?.stringValue ?? ""
        let flags = code.optionalAttribute("co_flags")?.intValue ?? 0
        let matched = selection.matchingRules(file: file, qualname: qualname, isFunction: flags & Int(CO_OPTIMIZED) != 0)
        rulesMatched.formUnion(matched)
        return matched
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
        let index = LineCollector.addCode(firstLine: Int32(firstLine), lastLine: Int32(lastLine))
        entries.append(Entry(code: code, name: name, file: rawFile, firstLine: firstLine, lastLine: lastLine, index: index))
        indexByCode[code.pointer] = index
        if pyro_code_set_extra(code.pointer, extraIndex, TimedCodes.mark(forTimed: index)) != 0 {
            throw PythonError.fetch()
        }
        try onTimed?(code)
        return index
    }

    /// Forgets every mark, so a later session classifies code afresh.
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
