"""``pyrometer.LineProfiler``: line_profiler's ``LineProfiler``, over pyrometer's engine.

Code written for ``line_profiler.LineProfiler`` runs with only the import changed::

    from pyrometer import LineProfiler
    profiler = LineProfiler(primes)
    profiler.runcall(primes, 1000)
    profiler.print_stats()

Several profilers can be enabled at once, each with its own functions: one engine
session measures the functions of every enabled profiler, and each profiler keeps
what was counted while it was enabled.
"""
import functools
import inspect
import json
import sys
import types

from . import _native
from ._by_count import ByCount
from ._session import Session

TIMER_UNIT = 1e-9  # the engine's results are in nanoseconds


class LineStats:
    """What a profiler measured, as line_profiler's ``LineStats``: ``timings`` maps
    ``(filename, first_lineno, function_name)`` to ``[(lineno, hits, time), ...]``
    with times in ``unit`` seconds."""

    def __init__(self, timings, unit):
        self.timings = timings
        self.unit = unit

    def __repr__(self):
        return "LineStats(%d functions, unit=%g)" % (len(self.timings), self.unit)


def _code_key(code):
    return (code.co_filename, code.co_firstlineno, getattr(code, "co_qualname", code.co_name))


def _function_codes(obj):
    """The code objects behind a function-like object (unwrapping decorators)."""
    if isinstance(obj, (classmethod, staticmethod)):
        obj = obj.__func__
    if isinstance(obj, property):
        return [c for f in (obj.fget, obj.fset, obj.fdel) if f is not None for c in _function_codes(f)]
    if isinstance(obj, functools.partial):
        return _function_codes(obj.func)
    if isinstance(obj, types.MethodType):
        obj = obj.__func__
    obj = inspect.unwrap(obj) if callable(obj) else obj
    code = getattr(obj, "__code__", None)
    return [code] if isinstance(code, types.CodeType) else []


class _Hub:
    """The one engine session behind every enabled profiler."""

    session = None
    enabled = []

    @classmethod
    def add(cls, obj):
        if cls.session is None:
            cls.session = Session("lines")
        cls.session.add(obj)

    @classmethod
    def counts(cls):
        """{key: {line: (hits, time)}} and {key: function record} of everything measured."""
        if cls.session is None:
            return {}, {}
        counts, records = {}, {}
        for function in cls.session.result()["functions"]:
            key = (function["file"], function["firstLine"], function["name"])
            counts[key] = {line["line"]: (line["hits"], line["time"]) for line in function["lines"]}
            records[key] = function
        return counts, records

    @classmethod
    def enable(cls, profiler):
        cls.add_all(profiler)
        if not cls.session.running:
            cls.session.start()
        cls.enabled.append(profiler)

    @classmethod
    def add_all(cls, profiler):
        for function in profiler.functions:
            cls.add(function)

    @classmethod
    def disable(cls, profiler):
        cls.enabled.remove(profiler)
        if not cls.enabled and cls.session is not None:
            cls.session.stop()


class LineProfiler(ByCount):
    """Times every line of the functions it is given, while it is enabled."""

    def __init__(self, *functions):
        self.functions = []
        self._keys = set()
        self._totals = {}      # key -> {line: [hits, time]}
        self._records = {}     # key -> the engine's function record (file, source...)
        self._baseline = None  # the hub's counts when this profiler was enabled
        for function in functions:
            self.add_function(function)

    # -- choosing functions

    def add_function(self, func):
        """Times the lines of ``func`` (function, method, property, partial...)."""
        codes = _function_codes(func)
        if not codes:
            raise TypeError("pyrometer cannot time %r: it has no Python code" % (func,))
        self.functions.append(func)
        self._keys.update(_code_key(code) for code in codes)
        _Hub.add(func)
        if self._baseline is not None:
            counts, _ = _Hub.counts()
            for code in codes:
                self._baseline.setdefault(_code_key(code), counts.get(_code_key(code), {}))
        return func

    def add_class(self, cls):
        """Times every method of ``cls`` (nested classes included); returns how many."""
        added = 0
        for value in vars(cls).values():
            if isinstance(value, type):
                added += self.add_class(value)
            elif _function_codes(value):
                self.add_function(value)
                added += 1
        return added

    def add_module(self, module):
        """Times every function and class method defined in ``module``; returns how many."""
        added = 0
        for value in vars(module).values():
            if getattr(value, "__module__", None) != module.__name__:
                continue
            if isinstance(value, type):
                added += self.add_class(value)
            elif isinstance(value, types.FunctionType):
                self.add_function(value)
                added += 1
        return added

    # -- turning it on and off

    def enable(self):
        if self._baseline is not None:
            return
        _Hub.enable(self)
        self._baseline = {key: lines for key, lines in _Hub.counts()[0].items() if key in self._keys}

    def disable(self):
        if self._baseline is None:
            return
        self._collect()
        self._baseline = None
        _Hub.disable(self)

    def _collect(self):
        """Adds what was counted since the baseline, and moves the baseline on."""
        counts, records = _Hub.counts()
        for key in self._keys:
            now = counts.get(key, {})
            before = self._baseline.get(key, {})
            total = self._totals.setdefault(key, {})
            for line, (hits, time) in now.items():
                old_hits, old_time = before.get(line, (0, 0))
                if hits - old_hits or time - old_time:
                    entry = total.setdefault(line, [0, 0])
                    entry[0] += hits - old_hits
                    entry[1] += time - old_time
            if key in records:
                self._records[key] = records[key]
        self._baseline = {key: counts.get(key, {}) for key in self._keys}

    # -- decorating

    def __call__(self, func):
        """Decorator: the function (method, generator, coroutine, property, class)
        is timed during its calls."""
        if isinstance(func, type):
            self.add_class(func)
            return func
        if isinstance(func, property):
            return property(*(None if f is None else self(f) for f in (func.fget, func.fset, func.fdel)), func.__doc__)
        if isinstance(func, (classmethod, staticmethod)):
            return type(func)(self(func.__func__))
        self.add_function(func)
        if inspect.isasyncgenfunction(func):
            return self._wrap_async_generator(func)
        if inspect.iscoroutinefunction(func):
            return self._wrap_coroutine(func)
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        return self.wrap_function(func)

    def _wrap_generator(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            generator = func(*args, **kwargs)
            step, value = generator.send, None
            while True:
                self.enable_by_count()
                try:
                    item = step(value)
                except StopIteration as stop:
                    return stop.value
                finally:
                    self.disable_by_count()
                try:
                    value = yield item
                    step = generator.send
                except GeneratorExit:
                    generator.close()
                    raise
                except BaseException as error:
                    step, value = generator.throw, error
        return wrapper

    def _wrap_coroutine(self, func):
        @functools.wraps(func)
        async def wrapper(*args, **kwargs):
            self.enable_by_count()
            try:
                return await func(*args, **kwargs)
            finally:
                self.disable_by_count()
        return wrapper

    def _wrap_async_generator(self, func):
        @functools.wraps(func)
        async def wrapper(*args, **kwargs):
            self.enable_by_count()
            try:
                async for item in func(*args, **kwargs):
                    yield item
            finally:
                self.disable_by_count()
        return wrapper

    # -- running code under it

    def runctx(self, cmd, globals, locals):
        with self:
            exec(cmd, globals, locals)
        return self

    def run(self, cmd):
        import __main__
        namespace = __main__.__dict__
        return self.runctx(cmd, namespace, namespace)

    # -- results

    def _profile(self):
        """The measurements as pyrometer's lines result (what -o writes)."""
        if self._baseline is not None:
            self._collect()
        functions = []
        for key in sorted(self._keys):
            record = self._records.get(key) or {"file": key[0], "firstLine": key[1], "name": key[2], "source": []}
            lines = [{"line": line, "hits": hits, "time": time}
                     for line, (hits, time) in sorted(self._totals.get(key, {}).items())]
            functions.append({"name": record["name"], "file": record["file"], "firstLine": record["firstLine"],
                              "lines": lines, "source": record["source"] or _source(key)})
        return {"format": "pyrometer.lines", "version": 1, "timerUnit": TIMER_UNIT,
                "python": "%d.%d.%d" % sys.version_info[:3], "command": [], "functions": functions}

    def get_stats(self):
        """A ``LineStats``: per function, ``[(lineno, hits, time)]`` in ``unit`` seconds."""
        profile = self._profile()
        timings = {(f["file"], f["firstLine"], f["name"]): [(l["line"], l["hits"], l["time"]) for l in f["lines"]]
                   for f in profile["functions"]}
        return LineStats(timings, TIMER_UNIT)

    def print_stats(self, stream=None, output_unit=None, stripzeros=False, **_ignored):
        """Prints line_profiler's table (to ``stream``, default stdout)."""
        engine = _native.load()
        text = engine.render(json.dumps(self._profile()), repr(output_unit or TIMER_UNIT), stripzeros)
        (stream or sys.stdout).write(text)

    def dump_stats(self, filename):
        """Saves the results as pyrometer's JSON, which ``pyrometer view`` reads."""
        with open(filename, "w") as out:
            json.dump(self._profile(), out, indent=2, sort_keys=True)


def _source(key):
    import linecache
    filename, first, _ = key
    lines = linecache.getlines(filename)[first - 1:]
    return [line.rstrip("\n") for line in inspect.getblock(lines)] if lines else []
