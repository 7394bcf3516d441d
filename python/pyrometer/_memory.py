"""memory_profiler's Python API over pyrometer: ``memory_usage`` and a
``MemoryProfiler`` for memory line by line.

``memory_usage`` keeps memory_profiler's meaning and return shapes: RSS in MiB,
sampled every ``interval`` seconds, of this process (``proc=-1``), of another
(``proc=pid``), or while a function runs here (``proc=(f, args, kwargs)`` or a
callable).
"""
import json
import os
import sys

from . import _native
from ._by_count import ByCount
from ._session import Session

MIB = 2.0 ** 20
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _resident(pid):
    """RSS of a process in bytes; None once it is gone."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return None


def _children(pid):
    """The pids of a process's children, grandchildren included."""
    found, pending = [], [pid]
    while pending:
        parent = pending.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as children:
                    kids = [int(kid) for kid in children.read().split()]
            except OSError:
                continue
            found += kids
            pending += kids
    return found


def _usage(pid, include_children):
    own = _resident(pid)
    if own is None:
        return None
    if include_children:
        own += sum(_resident(child) or 0 for child in _children(pid))
    return own / MIB


def memory_usage(proc=-1, interval=0.1, timeout=None, timestamps=False, include_children=False,
                 multiprocess=False, max_usage=False, retval=False, stream=None, backend=None,
                 max_iterations=None):
    """RSS in MiB over time (memory_profiler's ``memory_usage``).

    ``proc``: -1 (this process), a pid, a callable, or ``(f, args, kwargs)``.
    Returns a list of samples (``(MiB, time)`` pairs with ``timestamps``), the
    largest sample with ``max_usage``, and ``(usage, f's return value)`` with
    ``retval``. ``include_children`` adds the RSS of child processes
    (``multiprocess`` counts them the same way, summed)."""
    import threading
    import time
    include_children = include_children or multiprocess
    if interval <= 0:
        raise ValueError("interval must be positive")
    result = None
    samples = []

    def take(pid):
        value = _usage(pid, include_children)
        if value is not None:
            samples.append((value, time.time()) if timestamps else value)
        return value

    function = None
    if callable(proc):
        function, args, kwargs = proc, (), {}
    elif isinstance(proc, (tuple, list)):
        if not proc or not callable(proc[0]):
            raise ValueError("proc must be -1, a pid, a callable or (f, args, kwargs)")
        function = proc[0]
        args = tuple(proc[1]) if len(proc) > 1 else ()
        kwargs = dict(proc[2]) if len(proc) > 2 else {}

    if function is not None:
        pid = os.getpid()
        done = threading.Event()

        def sample():
            while not done.wait(interval):
                take(pid)

        take(pid)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            result = function(*args, **kwargs)
        finally:
            done.set()
            sampler.join()
            take(pid)
    else:
        pid = os.getpid() if proc == -1 else int(proc)
        if timeout is not None:
            count = max(1, int(round(timeout / interval)))
        elif max_iterations is not None:
            count = max_iterations
        elif pid == os.getpid():
            count = 1
        else:
            count = float("inf")  # until the process ends
        taken = 0
        while taken < count:
            if take(pid) is None:
                break
            taken += 1
            if taken < count:
                time.sleep(interval)

    if stream is not None:
        for sample in samples:
            value, stamp = sample if timestamps else (sample, time.time())
            stream.write("MEM %.6f %.4f\n" % (value, stamp))
    if max_usage:
        usage = max((s[0] if timestamps else s) for s in samples) if samples else 0.0
    else:
        usage = samples
    return (usage, result) if retval else usage


class MemoryProfiler(ByCount):
    """Memory line by line from Python (memory_profiler's table):

        profiler = MemoryProfiler(build)
        profiler.runcall(build, 10)
        profiler.print_stats()
    """

    def __init__(self, *functions):
        self._session = Session("memory", top=0)
        self.functions = []
        for function in functions:
            self.add_function(function)

    def add_function(self, func):
        self._session.add(func)
        self.functions.append(func)
        return func

    def enable(self):
        self._session.start()

    def disable(self):
        self._session.stop()

    def __call__(self, func):
        self.add_function(func)
        return self.wrap_function(func)

    def get_stats(self):
        """pyrometer's memory result (what ``pyrometer memory -o`` writes), as a dict."""
        result = self._session.result()
        import inspect
        import linecache
        for function in result["functions"]:
            if not any(line.strip() for line in function["source"]):
                lines = linecache.getlines(function["file"])[function["firstLine"] - 1:]
                function["source"] = [line.rstrip("\n") for line in inspect.getblock(lines)] if lines else []
        return result

    def print_stats(self, stream=None, unit="MiB"):
        """memory_profiler's table for each function (to ``stream``, default stdout)."""
        (stream or sys.stdout).write(_native.load().render(json.dumps(self.get_stats()), unit, False, False, None, True))
