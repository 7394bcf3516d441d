"""pyrometer: performance analysis for Python programs.

Under ``pyrometer lines`` the native engine times the functions marked with
:func:`profile`. In a program run by plain Python, ``profile`` leaves functions
unchanged, so decorated code runs either way.

objgraph's functions (``show_most_common_types``, ``show_growth``,
``show_backrefs``...) are here too, over a complete census of the heap:
``import pyrometer as objgraph`` runs existing objgraph code.
"""

from . import _census, _native
from ._census import *  # noqa: F401,F403 (objgraph's functions)
from ._line_profiler import LineProfiler, LineStats
from ._timing import TimeitResult, timeit

__all__ = ["profile", "timeit", "TimeitResult", "LineProfiler", "LineStats"] + _census.__all__

_engine = _native.load()


def profile(func=None):
    """Mark ``func`` (a function, method, property or class) for line timing under
    ``pyrometer lines``; elsewhere it is returned unchanged."""
    if _engine is not None:
        return _engine.profile(func)
    return func


def load_ipython_extension(ipython):
    """``%load_ext pyrometer``: %lprun, %mprun, %memit and %ptimeit."""
    from .ipython import load_ipython_extension as load
    load(ipython)


def unload_ipython_extension(ipython):
    """``%unload_ext pyrometer``: the magics are removed."""
    from .ipython import unload_ipython_extension as unload
    unload(ipython)
