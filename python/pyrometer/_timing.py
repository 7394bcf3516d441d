"""pyrometer.timeit(): the engine behind `pyrometer timeit`, from Python."""
import json

from . import _native

_UNITS = (("sec", 1.0), ("msec", 1e-3), ("usec", 1e-6), ("nsec", 1e-9))


def _format(seconds):
    name, scale = next(((n, s) for n, s in _UNITS if seconds >= s), _UNITS[-1])
    return "%.3g %s" % (seconds / scale, name)


class TimeitResult:
    """One statement's timings: seconds per loop for each repeat, and statistics.

    Attributes: ``statement``, ``loops``, ``repeat``, ``times`` (seconds per loop of
    each repeat), ``best``, ``worst``, ``median``, ``mean``, ``stdev`` and
    ``warnings`` (why the timings may be unstable).
    """

    def __init__(self, data):
        statistics = data["statistics"]
        self.statement = data["statement"]
        self.loops = data["loops"]
        self.times = list(data["times"])
        self.repeat = len(self.times)
        self.best = statistics["best"]
        self.worst = statistics["worst"]
        self.median = statistics["median"]
        self.mean = statistics["mean"]
        self.stdev = statistics["standardDeviation"]
        self.warnings = list(data["warnings"])

    def __str__(self):
        plural = "" if self.loops == 1 else "s"
        return (f"{self.loops} loop{plural}, best of {self.repeat}: {_format(self.best)} per loop; "
                f"median {_format(self.median)}, mean {_format(self.mean)} ± {_format(self.stdev)}")

    def __repr__(self):
        return f"<TimeitResult {self}>"


def timeit(stmt="pass", setup="pass", number=None, repeat=5, globals=None, warmup=1, gc=False):
    """Time ``stmt`` (a string or a callable) like ``timeit``: ``setup`` runs once,
    then ``number`` loops of ``stmt`` are timed ``repeat`` times (``number=None``
    calibrates so that a repeat lasts at least 0.2 s). Garbage collection is off
    while timing unless ``gc=True``. Returns a :class:`TimeitResult`."""
    engine = _native.load()
    if engine is None:
        raise RuntimeError("pyrometer's native engine (_pyrometer) is not built for this Python; "
                           "build it with `swift build` (PYTHON=this python) or set PYROMETER_NATIVE")
    namespace = dict(globals) if globals is not None else None
    if callable(stmt) or callable(setup):
        namespace = namespace if namespace is not None else {"__name__": "__main__"}
        if callable(stmt):
            namespace["_pyrometer_stmt"] = stmt
            stmt = "_pyrometer_stmt()"
        if callable(setup):
            namespace["_pyrometer_setup"] = setup
            setup = "_pyrometer_setup()"
    if not isinstance(stmt, str) or not isinstance(setup, str):
        raise TypeError("stmt and setup must be strings or callables")
    data = json.loads(engine.timeit(stmt, setup, number, repeat, namespace, warmup, gc))
    return TimeitResult(data["statements"][0])
