import CPython

/// Runs `body` holding the GIL. Any thread may call it; threads Swift starts must,
/// before touching Python.
@discardableResult
public func withGIL<T>(_ body: () throws -> T) rethrows -> T {
    let state = PyGILState_Ensure()
    defer { PyGILState_Release(state) }
    return try body()
}
