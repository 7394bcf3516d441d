"""The ``profile`` that ``pyrometer lines`` and ``pyrometer memory`` put into
builtins: it accepts what kernprof's and memory_profiler's builtins accept.

    @profile                        # a function, method, property, class...
    @profile(precision=4)           # memory_profiler's options (accepted; pyrometer
    @profile(stream=sys.stdout)     #   prints one report at exit)
    @profile()                      # a decorator factory
    with profile: ...               # kernprof's block (the marked functions are
    profile.enable_by_count()       #   measured whenever they run anyway)
    profile.disable_by_count()
"""
from . import _native
from ._by_count import ByCount


class BuiltinProfile(ByCount):
    """Marks functions for the running session of the engine."""

    def __init__(self):
        self._engine = _native.load()

    def __call__(self, func=None, *, precision=None, stream=None, **_options):
        if func is None:
            return self
        if self._engine is not None:
            return self._engine.profile(func)
        return func

    def add_function(self, func):
        self(func)
        return func

    def print_stats(self, *args, **kwargs):
        """The report is printed when the program ends."""


profile = BuiltinProfile()
