import CPython
import Pyrometer

/// Entry point of the `_pyrometer` extension module, for plain Python and IPython:
/// `import _pyrometer` finds `PyInit__pyrometer` in lib_pyrometer.so. It links no
/// libpython; the interpreter that loads it provides the symbols.
@_cdecl("PyInit__pyrometer")
public func PyInit__pyrometer() -> UnsafeMutablePointer<PyObject>? {
    // A build serves one minor version of CPython, like any C extension.
    guard Py_Version >> 16 == pyro_version_hex() >> 16 else {
        pyro_set_import_error("pyrometer's _pyrometer was built for Python \(pyro_version_hex() >> 24).\((pyro_version_hex() >> 16) & 0xff)")
        return nil
    }
    NativeModule.contributeAllTools()
    NativeModule.contribute(CommandLineMethod.methods)
    return NativeModule.initFunction()
}
