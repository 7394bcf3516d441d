"""Measurement sessions of the native engine, driven from Python.

A session measures from ``start()`` to ``stop()`` and can be started again (it
goes on counting, as line_profiler's enable/disable do); ``result()`` is what
``pyrometer <tool> -o`` would save, as a dict. ``with Session("lines") as s:``
starts and stops it.
"""
import json

from . import _native


class Session:
    """A session of one of pyrometer's tools ("lines", "memory")."""

    def __init__(self, tool, **options):
        engine = _native.load()
        if engine is None:
            raise RuntimeError("pyrometer's native engine is not built for this Python")
        self._engine = engine
        self._handle = engine.session_new(tool, options or None)
        self.tool = tool

    def add(self, obj):
        """Measure the code of ``obj`` (a function, method or class) too."""
        self._engine.session_add(self._handle, obj)
        return obj

    def start(self):
        self._engine.session_start(self._handle)

    def stop(self):
        self._engine.session_stop(self._handle)

    @property
    def running(self):
        return self._engine.session_running(self._handle)

    def result(self):
        """What was measured so far, as the tool's JSON result (a dict)."""
        return json.loads(self._engine.session_result(self._handle))

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False
