"""pyrometer: performance analysis for Python programs.

Under ``pyrometer lines`` the native engine times the functions marked with
:func:`profile`. In a program run by plain Python, ``profile`` leaves functions
unchanged (unless ``LINE_PROFILE=1``: then they are timed and printed at exit),
so decorated code runs either way. ``LineProfiler`` is line_profiler's.

objgraph's functions (``show_most_common_types``, ``show_growth``,
``show_backrefs``...) are here too, over a complete census of the heap:
``import pyrometer as objgraph`` runs existing objgraph code.
"""

from . import _census, _native
from ._census import *  # noqa: F401,F403 (objgraph's functions)
from ._leaks import LeakReport, find_leaks
from ._line_profiler import LineProfiler, LineStats
from ._memory import MemoryProfiler, memory_usage
from ._sampler import SampleProfile, Sampler
from ._timing import TimeitResult, timeit

__all__ = ["profile", "timeit", "TimeitResult", "LineProfiler", "LineStats", "MemoryProfiler",
           "memory_usage", "Sampler", "SampleProfile", "find_leaks", "LeakReport"] + _census.__all__

from ._explicit_profile import profile  # noqa: E402 (line_profiler's explicit profile)

# The engine is loaded now, not at the first census: loading it makes objects
# (the extension's module and its definitions) that a census would count as new.
_native.load()


def load_ipython_extension(ipython):
    """``%load_ext pyrometer``: %lprun, %mprun, %memit, %ptimeit and %psample."""
    from .ipython import load_ipython_extension as load
    load(ipython)


def unload_ipython_extension(ipython):
    """``%unload_ext pyrometer``: the magics are removed."""
    from .ipython import unload_ipython_extension as unload
    unload(ipython)
