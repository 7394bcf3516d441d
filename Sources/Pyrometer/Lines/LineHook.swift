import CPython

/// How interpreter events reach the `LineCollector`. This is the version boundary
/// of line timing: 3.11 has the C trace function, 3.12+ has sys.monitoring. The
/// rest of the engine does not know which one runs.
protocol LineHook: AnyObject {
    /// Starts delivering events.
    func install() throws
    /// A code object became timed (monitoring enables its events here).
    func enable(_ code: PyRef) throws
    /// Stops delivering events.
    func uninstall()
    /// What went wrong while installed, for the report (timing that another tool
    /// switched off).
    var problems: [String] { get }
}

enum LineHooks {
    /// The hook for the Python this engine was built against.
    static func make() -> LineHook {
        pyro_has_monitoring() != 0 ? MonitoringHook() : TraceFunctionHook()
    }

    /// Native callables the hooks hand to Python.
    static var nativeMethods: [NativeMethod] {
        TraceFunctionHook.nativeMethods + MonitoringHook.nativeMethods
    }
}
