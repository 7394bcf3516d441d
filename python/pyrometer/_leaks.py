"""Leak hunting from Python: ``find_leaks(function)`` calls a function again and
again with a complete census of the heap after each call, as
``pyrometer leaks --call`` does, and returns the report."""
import json

from . import _native


class LeakReport:
    """The report of a leak hunt: ``leaks`` (one dict per growing type, worst
    first, as ``pyrometer leaks -o`` saves them), ``problem`` (why nothing could
    be judged, or None) and the text ``pyrometer leaks`` prints (``str(report)``)."""

    def __init__(self, data):
        self.data = data

    @property
    def leaks(self):
        return self.data["leaks"]

    @property
    def problem(self):
        return self.data.get("problem")

    @property
    def clean(self):
        """No type grows and nothing prevented the judgement."""
        return not self.leaks and self.problem is None

    def leaked_types(self):
        return [leak["type"] for leak in self.leaks]

    def __str__(self):
        return _native.load().render(json.dumps(self.data), None, False, False, None, False)

    def __repr__(self):
        return "<LeakReport %s>" % (", ".join(self.leaked_types()) or "clean")


def find_leaks(function, repeat=10, trace_allocations=True, samples=3, name=None):
    """Calls ``function()`` once (a warm-up, not measured), then ``repeat`` times
    with a census after each call, and returns a :class:`LeakReport` of the types
    that kept growing, with a sample object of the worst ones, the references
    that hold it and (``trace_allocations``) the line that allocated it. What the
    function raises is raised here."""
    if not callable(function):
        raise TypeError("find_leaks() needs a callable")
    if int(repeat) < 1:
        raise ValueError("repeat must be at least 1")
    label = name or getattr(function, "__qualname__", None) or repr(function)
    text = _native.load().find_leaks(function, str(label), int(repeat), bool(trace_allocations), int(samples))
    return LeakReport(json.loads(text))
