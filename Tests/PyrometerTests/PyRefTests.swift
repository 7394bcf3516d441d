import CPython
import Testing
@testable import Pyrometer

/// Starts one interpreter for the test process and releases the GIL, so tests on
/// any thread take it with `withGIL`.
enum TestInterpreter {
    nonisolated(unsafe) static var started = false
    static func start() {
        guard !started else { return }
        started = true
        let config = UnsafeMutablePointer<PyConfig>.allocate(capacity: 1)
        PyConfig_InitIsolatedConfig(config)
        _ = PyConfig_SetBytesString(config, &config.pointee.program_name, pyro_build_python_executable())
        _ = Py_InitializeFromConfig(config)
        PyConfig_Clear(config)
        _ = PyEval_SaveThread()
    }
}

@Suite(.serialized) struct PyRefTests {
    init() { TestInterpreter.start() }

    @Test func ownedAndBorrowedReferencesBalance() throws {
        try withGIL {
            let list = try PyRef(owned: PyList_New(0))
            let before = Py_REFCNT(list.pointer)
            do {
                let borrowed = PyRef(borrowed: list.pointer)
                #expect(Py_REFCNT(list.pointer) == before + 1)
                _ = borrowed
            }
            #expect(Py_REFCNT(list.pointer) == before)
            for _ in 0..<100 { _ = try list.attribute("append") }
            #expect(Py_REFCNT(list.pointer) == before)
            let items = try PyRef.tuple([list, list])
            #expect(Py_REFCNT(list.pointer) == before + 2)
            _ = items
        }
    }

    @Test func callsAndConversions() throws {
        try withGIL {
            let builtins = try PyRef.importModule("builtins")
            let sum = try builtins.attribute("sum").call(PyRef.list([PyRef.int(20), PyRef.int(22)]))
            #expect(sum.intValue == 42)
            #expect(try PyRef.string("héllo").stringValue == "héllo")
            #expect(PyRef.none.isNone)
            #expect(builtins.optionalAttribute("no_such_thing") == nil)
            #expect(PyErr_Occurred() == nil)
        }
    }

    @Test func pythonExceptionsBecomeSwiftErrors() throws {
        withGIL {
            #expect { try PyRef.importModule("no_such_module_xyz") } throws: { error in
                (error as? PythonError)?.typeName == "ModuleNotFoundError"
            }
            #expect(PyErr_Occurred() == nil)
        }
    }

    @Test func lastLineIncludesNestedFunctions() throws {
        try withGIL {
            let source = "def outer():\n    x = 1\n    def inner():\n        return 2\n    return inner\n\n\n"
            let builtins = try PyRef.importModule("builtins")
            let module = try builtins.attribute("compile").call(PyRef.string(source), PyRef.string("<t>"), PyRef.string("exec"))
            let outer = try module.attribute("co_consts").iterate().first { pyro_is_code($0.pointer) != 0 }!
            #expect(try TimedCodes.lastLine(of: outer) == 5)
        }
    }
}
