"""Finds pyrometer's native engine, `_pyrometer`.

Under the embedding `pyrometer` executable it is built into the interpreter.
Installed from the wheel it is the extension module `_pyrometer` beside this
package. In the source tree it is the lib_pyrometer.so that `swift build` makes:
named by $PYROMETER_NATIVE (which wins over an installed one), or found in the
build folder for the running Python (.build-3.X, then .build), release before debug.
"""
import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path


def _candidates():
    named = os.environ.get("PYROMETER_NATIVE")
    if named:
        yield Path(named)
    root = Path(__file__).resolve().parents[2]
    version = "%d.%d" % sys.version_info[:2]
    for folder in (f".build-{version}", ".build"):
        for configuration in ("release", "debug"):
            yield root / folder / configuration / "lib_pyrometer.so"


def load():
    """The `_pyrometer` module, or None when no build for this Python exists."""
    if "_pyrometer" in sys.modules:
        return sys.modules["_pyrometer"]
    if "_pyrometer" in sys.builtin_module_names:
        import _pyrometer
        return _pyrometer
    if not os.environ.get("PYROMETER_NATIVE"):
        try:  # installed from the wheel, beside this package
            import _pyrometer
            return _pyrometer
        except ImportError:
            pass
    for path in _candidates():
        if not path.is_file():
            continue
        loader = importlib.machinery.ExtensionFileLoader("_pyrometer", str(path))
        spec = importlib.util.spec_from_file_location("_pyrometer", str(path), loader=loader)
        try:
            module = importlib.util.module_from_spec(spec)
            loader.exec_module(module)
        except ImportError:
            continue  # a build for another Python version
        sys.modules["_pyrometer"] = module
        return module
    return None
