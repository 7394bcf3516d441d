"""pyrometer's pytest plugin (installed with the wheel, entry point ``pytest11``).

- ``pytest --pyrometer`` measures the allocations of every test and lists the
  tests that allocated most at the end (``--pyrometer-top N``).
- ``@pytest.mark.limit_memory("24 MB")`` fails a test whose peak of allocations
  goes over the limit, with the lines that held most at the peak and the stack of
  the allocation that made it.
- ``@pytest.mark.no_leaks(repeat=10)`` runs the test body once to warm up, then
  ``repeat`` times with a census of the heap after each run, and fails with the
  leak report (type, sample object, the references that hold it, the line that
  allocated it) when a type keeps growing.
- ``@pytest.mark.limit_leaks("1 KB", repeat=10)`` fails when each run of the
  body leaves more than the limit allocated, with the lines that hold it.

The markers work with or without ``--pyrometer``; pytest-xdist workers send
their measurements to the controller, which prints the list.

The ``pyrometer`` package (and its native engine) is imported only when a test
is measured, so installing pyrometer costs other pytest runs nothing.
"""
import gc
import os
import re

import pytest

_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024 ** 2, "mb": 1024 ** 2, "mib": 1024 ** 2,
          "g": 1024 ** 3, "gb": 1024 ** 3, "gib": 1024 ** 3, "t": 1024 ** 4, "tb": 1024 ** 4, "tib": 1024 ** 4}
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([a-zA-Z]*)\s*$")
_PROPERTY = "pyrometer"


def parse_size(text):
    """Bytes in a size such as "24 MB", "1.5GiB", "512 KB" or 1000 (units are
    powers of 1024, as pytest-memray reads them)."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        if text < 0:
            raise ValueError("a memory size cannot be negative: %r" % (text,))
        return int(text)
    match = _SIZE.match(str(text))
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError("not a memory size: %r (write it as '24 MB', '512 KB', '1.5 GiB'...)" % (text,))
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def format_size(size):
    value = float(size)
    for unit in ("B", "KiB", "MiB"):
        if abs(value) < 1024:
            return ("%d %s" % (value, unit)) if unit == "B" else ("%.1f %s" % (value, unit))
        value /= 1024
    return "%.1f GiB" % value


def pytest_addoption(parser):
    group = parser.getgroup("pyrometer", "memory and leaks measured by pyrometer")
    group.addoption("--pyrometer", action="store_true", default=False,
                    help="measure the allocations of every test and list the tests that allocated most")
    group.addoption("--pyrometer-top", type=int, default=5, metavar="N",
                    help="how many tests --pyrometer lists (default 5, 0: every test)")


def pytest_configure(config):
    config.addinivalue_line("markers", "limit_memory(limit): fail when the test's peak of allocations exceeds "
                                       "limit ('24 MB'), with the lines that held most at the peak")
    config.addinivalue_line("markers", "no_leaks(repeat=10, warmup=1): run the test body warmup times, then repeat (at least 3) "
                                       "times with a census after each, and fail when a type keeps growing")
    config.addinivalue_line("markers", "limit_leaks(limit, repeat=10, warmup=1): fail when each run of the test body "
                                       "leaves more than limit ('1 KB') allocated")
    _ROOT[0] = str(config.rootpath)
    if config.pluginmanager.has_plugin("pyrometer-measure"):
        return
    config.pluginmanager.register(_Measure(config), "pyrometer-measure")


def _marker_arguments(marker, names, defaults):
    """The marker's positional and keyword arguments by name, checked."""
    values = dict(defaults)
    if len(marker.args) > len(names):
        raise pytest.UsageError("@pytest.mark.%s takes at most %d positional arguments" % (marker.name, len(names)))
    values.update(zip(names, marker.args))
    unknown = set(marker.kwargs) - set(names)
    if unknown:
        raise pytest.UsageError("@pytest.mark.%s has no argument %s" % (marker.name, ", ".join(sorted(unknown))))
    values.update(marker.kwargs)
    return values


class _Limits:
    """What a test's markers ask for."""

    def __init__(self, item):
        self.memory = None
        self.no_leaks = None
        self.leak_limit = None
        marker = item.get_closest_marker("limit_memory")
        if marker is not None:
            args = _marker_arguments(marker, ["limit"], {})
            if "limit" not in args:
                raise pytest.UsageError("@pytest.mark.limit_memory needs a limit, e.g. limit_memory('24 MB')")
            self.memory = self._size(marker, args["limit"])
        marker = item.get_closest_marker("no_leaks")
        if marker is not None:
            args = _marker_arguments(marker, ["repeat", "warmup"], {"repeat": 10, "warmup": 1})
            self.no_leaks = (self._count(marker, args["repeat"], 3, "repeat"), self._count(marker, args["warmup"], 0, "warmup"))
        marker = item.get_closest_marker("limit_leaks")
        if marker is not None:
            args = _marker_arguments(marker, ["limit", "repeat", "warmup"], {"repeat": 10, "warmup": 1})
            if "limit" not in args:
                raise pytest.UsageError("@pytest.mark.limit_leaks needs a limit, e.g. limit_leaks('1 KB')")
            self.leak_limit = (self._size(marker, args["limit"]), self._count(marker, args["repeat"], 1, "repeat"),
                               self._count(marker, args["warmup"], 0, "warmup"))

    @staticmethod
    def _size(marker, value):
        try:
            return parse_size(value)
        except ValueError as error:
            raise pytest.UsageError("@pytest.mark.%s: %s" % (marker.name, error)) from None

    @staticmethod
    def _count(marker, value, least, name):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise pytest.UsageError("@pytest.mark.%s: %s must be an integer of at least %d, got %r"
                                    % (marker.name, name, least, value))
        return value

    @property
    def any(self):
        return self.memory is not None or self.no_leaks is not None or self.leak_limit is not None


_THIS_FILE = os.path.abspath(__file__)
_ROOT = [None]  # the run's rootdir: files under it are shown relative to it, as pytest shows them


def _place(line):
    path = line.get("file", "?")
    root = _ROOT[0]
    if root and os.path.isabs(path):
        relative = os.path.relpath(path, root)
        if not relative.startswith(".."):
            path = relative
    return "%s:%d (%s)" % (path, line.get("line", 0), line.get("function", "?"))


def _memory_failure(peak, limit, result):
    lines = ["Test was limited to %s but allocated %s at its peak" % (format_size(limit), format_size(peak))]
    top = [line for line in result.get("topAtPeak", []) if line.get("bytes", 0) > 0][:5]
    if top:
        lines.append("Lines holding most at the peak:")
        lines += ["  %10s  %s" % (format_size(line["bytes"]), _place(line)) for line in top]
    # Innermost first, down to the test's own frame (the plugin's and pytest's
    # frames below it say nothing about the test).
    stack = []
    for frame in result.get("peakStack", []):
        if os.path.abspath(frame.get("file", "")) == _THIS_FILE:
            break
        stack.append(frame)
    if stack:
        lines.append("Stack of the allocation that made the peak (most recent call first):")
        lines += ["  %s" % _place(frame) for frame in stack]
    return "\n".join(lines)


class _Measure:
    def __init__(self, config):
        self.config = config
        self.enabled = config.getoption("pyrometer", False)
        self.top = config.getoption("pyrometer_top", 5)
        self.results = []

    def pytest_collection_modifyitems(self, items):
        # A bad marker argument stops the run before any test, as a usage error.
        for item in items:
            _Limits(item)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_pyfunc_call(self, pyfuncitem):
        limits = _Limits(pyfuncitem)
        if not (self.enabled or limits.any):
            yield
            return
        original = pyfuncitem.obj
        measured = self.enabled or limits.memory is not None

        def body(*args, **kwargs):
            if measured:
                outcome = self._measure_once(pyfuncitem, original, args, kwargs, limits.memory)
            else:
                outcome = original(*args, **kwargs)
            if limits.no_leaks is not None:
                self._hunt(pyfuncitem, original, args, kwargs, *limits.no_leaks)
            if limits.leak_limit is not None:
                self._limit_leaks(original, args, kwargs, *limits.leak_limit)
            return outcome

        pyfuncitem.obj = body
        try:
            yield
        finally:
            pyfuncitem.obj = original

    def _measure_once(self, item, function, args, kwargs, limit):
        from pyrometer._session import Session
        session = Session("memory", top=10)
        session.start()
        try:
            outcome = function(*args, **kwargs)
        finally:
            session.stop()
            result = session.result()
            peak = int(result.get("peakTraced", 0))
            top = next((line for line in result.get("topAtPeak", []) if line.get("bytes", 0) > 0), None)
            item.user_properties.append((_PROPERTY, {"peak": peak, "allocations": int(result.get("allocations", 0)),
                                                     "top": _place(top) if top else ""}))
        if limit is not None and peak > limit:
            pytest.fail(_memory_failure(peak, limit, result), pytrace=False)
        return outcome

    @staticmethod
    def _hunt(item, function, args, kwargs, repeat, warmup):
        from pyrometer import find_leaks
        for _ in range(warmup):
            function(*args, **kwargs)
        report = find_leaks(lambda: function(*args, **kwargs), repeat=repeat, name=item.nodeid)
        if not report.clean:
            pytest.fail("pyrometer found objects that keep growing over %d runs of the test:\n%s"
                        % (repeat, str(report).rstrip()), pytrace=False)

    @staticmethod
    def _limit_leaks(function, args, kwargs, limit, repeat, warmup):
        from pyrometer._session import Session
        for _ in range(warmup):
            function(*args, **kwargs)
        gc.collect()
        session = Session("memory", top=10)
        session.start()
        try:
            for _ in range(repeat):
                function(*args, **kwargs)
            gc.collect()
        finally:
            session.stop()
        result = session.result()
        left = int(result.get("finalTraced", 0))
        per_run = left // repeat
        if per_run > limit:
            lines = ["Test was limited to %s of leaks per run but left %s allocated per run (%s over %d runs)"
                     % (format_size(limit), format_size(per_run), format_size(left), repeat)]
            top = [line for line in result.get("topAtEnd", []) if line.get("bytes", 0) > 0][:5]
            if top:
                lines.append("Lines holding what was left:")
                lines += ["  %10s  %s" % (format_size(line["bytes"]), _place(line)) for line in top]
            pytest.fail("\n".join(lines), pytrace=False)

    def pytest_runtest_logreport(self, report):
        if report.when != "call":
            return
        for name, value in getattr(report, "user_properties", ()):
            if name == _PROPERTY and isinstance(value, dict):
                self.results.append((report.nodeid, value))

    def pytest_terminal_summary(self, terminalreporter):
        if not self.enabled or hasattr(self.config, "workerinput"):
            return
        writer = terminalreporter
        writer.section("pyrometer: tests that allocated most")
        if not self.results:
            writer.write_line("no test was measured")
            return
        ranked = sorted(self.results, key=lambda entry: (-entry[1]["peak"], entry[0]))
        if self.top > 0:
            ranked = ranked[:self.top]
        writer.write_line("%12s %12s  %s" % ("peak", "allocations", "test (line holding most at the peak)"))
        for nodeid, value in ranked:
            place = ("  (%s)" % value["top"]) if value.get("top") else ""
            writer.write_line("%12s %12s  %s%s" % (format_size(value["peak"]), "{:,}".format(value["allocations"]),
                                                    nodeid, place))
