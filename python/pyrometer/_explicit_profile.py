"""``pyrometer.profile`` in plain Python: line_profiler's explicit ``profile``.

Disabled (the default), it returns the function unchanged and costs nothing.
Enabled, by ``LINE_PROFILE=1`` in the environment or ``profile.enable()``, the
functions it marks are timed and their table is printed when the program exits.
Under ``pyrometer lines`` or ``pyrometer memory`` the running session measures
them instead.
"""
import atexit
import builtins
import os
import sys

from . import _native


def _enabled_by_environment():
    return os.environ.get("LINE_PROFILE", "").strip().lower() not in ("", "0", "false", "no", "off")


class ExplicitProfile:
    def __init__(self):
        self.enabled = _enabled_by_environment()
        self._profiler = None
        self._pending = []

    def _under_pyrometer(self):
        from ._builtin_profile import BuiltinProfile
        return isinstance(getattr(builtins, "profile", None), BuiltinProfile)

    def enable(self):
        """Times the functions marked so far and from now on; prints at exit."""
        self.enabled = True
        for func in self._pending:
            self._profiler_for_exit().add_function(func)
        self._pending = []

    def disable(self):
        self.enabled = False

    def _profiler_for_exit(self):
        if self._profiler is None:
            from ._line_profiler import LineProfiler
            self._profiler = LineProfiler()
            atexit.register(self.show)
        return self._profiler

    def __call__(self, func=None):
        if func is None:
            return self
        if self._under_pyrometer():
            engine = _native.load()
            return engine.profile(func) if engine is not None else func
        if not self.enabled:
            return func
        return self._profiler_for_exit()(func)

    def show(self, stream=None):
        """Prints the table of what was timed (at exit, when enabled)."""
        if self._profiler is not None:
            self._profiler.print_stats(stream=stream or sys.stdout, output_unit=1e-6)


profile = ExplicitProfile()
