"""``%load_ext pyrometer``: pyrometer's magics in IPython and Jupyter.

- ``%lprun -f func [-f ...] [-m module] [-D file] [-T file] [-r] [-s|-z] [-u unit] statement``
  and ``%%lprun``: line timing of the chosen functions (line_profiler's options);
- ``%mprun -f func [-T file] [-c] statement``: memory line by line
  (memory_profiler's table, from pyrometer's allocator hooks);
- ``%memit [-q] [-o] statement`` and ``%%memit``: peak memory and increment;
- ``%ptimeit [-n N] [-r R] [-s setup] statement`` and ``%%ptimeit``: pyrometer's
  timing table; in cell mode every line of the cell is a statement, compared;
- ``%psample [--rate HZ] [--mode cpu|wall|gil] [--idle] [-r] statement`` and
  ``%%psample``: samples the statement (every thread) and prints
  ``pyrometer sample``'s summary.

``%unload_ext pyrometer`` removes them.
"""
import io
import os

from . import _memory, _native
from ._line_profiler import LineProfiler
from ._memory import MemoryProfiler
from ._sampler import Sampler
from ._session import Session

MIB = 2.0 ** 20

_LINE_MAGICS = ("lprun", "mprun", "memit", "ptimeit", "psample")
_CELL_MAGICS = ("lprun", "memit", "ptimeit", "psample")


def _resident_bytes():
    return _memory._resident(os.getpid()) or 0


def _children_resident_bytes():
    return sum(_memory._resident(child) or 0 for child in _memory._children(os.getpid()))


class MemitResult:
    """What ``%memit -o`` returns: peak memory and increment, in MiB."""

    def __init__(self, peak, baseline):
        self.peak = peak
        self.baseline = baseline
        self.increment = peak - baseline

    def __str__(self):
        return "peak memory: %.02f MiB, increment: %.02f MiB" % (self.peak, self.increment)

    def __repr__(self):
        return f"<MemitResult {self}>"


def _make_magics_class():
    from IPython.core.error import UsageError
    from IPython.core.magic import Magics, cell_magic, line_cell_magic, line_magic, magics_class

    @magics_class
    class PyrometerMagics(Magics):
        def _evaluate(self, expression):
            try:
                return eval(expression, self.shell.user_ns)
            except Exception as error:
                raise UsageError(f"could not find {expression!r}: {type(error).__name__}: {error}")

        def _run(self, code):
            """Runs code in the user's namespace, reporting SystemExit as IPython does."""
            try:
                exec(compile(code, "<pyrometer-magic>", "exec"), self.shell.user_ns, self.shell.user_ns)
            except SystemExit:
                print("*** SystemExit exception caught in code being profiled.")
            except KeyboardInterrupt:
                print("*** KeyboardInterrupt exception caught in code being profiled.")

        @line_cell_magic
        def lprun(self, line, cell=None):
            """Line timing of the functions named with -f (line_profiler's %lprun)."""
            options, statement = self.parse_options(line, "rszf:m:D:T:u:", list_all=True, posix=False)
            if cell is not None:
                statement = cell
            if not statement.strip():
                raise UsageError("%lprun needs a statement to run: %lprun -f func statement")
            profiler = LineProfiler()
            for expression in options.get("f", []):
                profiler.add_function(self._evaluate(expression))
            for name in options.get("m", []):
                import importlib
                try:
                    profiler.add_module(importlib.import_module(name))
                except ImportError as error:
                    raise UsageError(f"could not import module {name!r}: {error}")
            unit = None
            if "u" in options:
                try:
                    unit = float(options["u"][-1])
                except ValueError:
                    unit = -1.0
                if not unit > 0 or unit != unit or unit == float("inf"):
                    raise UsageError("-u must be a positive number of seconds, e.g. -u 1e-3")
            profiler.enable_by_count()
            try:
                self._run(statement)
            finally:
                profiler.disable_by_count()
            stream = io.StringIO()
            profiler.print_stats(stream=stream, output_unit=unit, stripzeros="s" in options or "z" in options)
            text = stream.getvalue()
            print(text, end="")
            if "D" in options:
                path = options["D"][-1]
                profiler.dump_stats(path)
                print(f"\n*** Profile stats saved to {path!r} (pyrometer's JSON; `pyrometer view {path}` shows it)")
            if "T" in options:
                path = options["T"][-1]
                with open(path, "w") as out:
                    out.write(text)
                print(f"\n*** Profile printout saved to text file {path!r}.")
            if "r" in options:
                return profiler
            return None

        @line_magic
        def mprun(self, line):
            """Memory line by line of the functions named with -f (memory_profiler's %mprun)."""
            options, statement = self.parse_options(line, "cf:T:", list_all=True, posix=False)
            if not options.get("f"):
                raise UsageError("%mprun needs at least one -f function")
            if not statement.strip():
                raise UsageError("%mprun needs a statement to run: %mprun -f func statement")
            profiler = MemoryProfiler(*(self._evaluate(expression) for expression in options["f"]))
            with profiler:
                self._run(statement)
            stream = io.StringIO()
            profiler.print_stats(stream=stream)
            text = stream.getvalue()
            if "c" in options:
                text += "Children's RSS now: %.3f MiB\n" % (_children_resident_bytes() / MIB)
            print(text, end="")
            if "T" in options:
                path = options["T"][-1]
                with open(path, "w") as out:
                    out.write(text)
                print(f"\n*** Profile printout saved to text file {path!r}.")

        @line_cell_magic
        def memit(self, line, cell=None):
            """Peak memory and increment of a statement (memory_profiler's %memit):
            the peak is the RSS before it plus the most bytes it had allocated at
            once, from pyrometer's allocator hooks."""
            options, statement = self.parse_options(line, "r:t:i:coq", posix=False, strict=False)
            if cell is not None:
                if statement.strip():
                    self._run(statement)
                statement = cell
            if not statement.strip():
                raise UsageError("%memit needs a statement: %memit statement")
            repeats = max(1, int(options.get("r", 1)))
            best = None
            for _ in range(repeats):
                baseline = _resident_bytes() + (_children_resident_bytes() if "c" in options else 0)
                session = Session("memory", top=0)
                with session:
                    self._run(statement)
                peak = baseline + max(0, session.result()["peakTraced"])
                if "c" in options:
                    peak = max(peak, _resident_bytes() + _children_resident_bytes())
                result = MemitResult(peak / MIB, baseline / MIB)
                if best is None or result.peak < best.peak:
                    best = result
            if "q" not in options:
                print(best)
            if "o" in options:
                return best
            return None

        @line_cell_magic
        def ptimeit(self, line, cell=None):
            """pyrometer's timing table: one statement, or in cell mode each line of
            the cell, compared (with -n loops, -r repeats, -s setup)."""
            options, rest = self.parse_options(line, "n:r:s:", list_all=True, posix=False, strict=False)
            if cell is not None:
                setup_lines = options.get("s", []) + ([rest] if rest.strip() else [])
                statements = [text for text in cell.splitlines() if text.strip()]
            else:
                setup_lines = options.get("s", [])
                statements = [rest] if rest.strip() else []
            if not statements:
                raise UsageError("%ptimeit needs a statement to time")
            try:
                number = int(options["n"][-1]) if "n" in options else None
                repeats = int(options["r"][-1]) if "r" in options else 5
            except ValueError:
                raise UsageError("-n and -r take whole numbers")
            engine = _native.load()
            namespace = self.shell.user_ns
            text = engine.timeit(statements if len(statements) > 1 else statements[0],
                                 "\n".join(setup_lines) or "pass", number, repeats, namespace, 1, False)
            print(engine.render(text), end="")

        @line_cell_magic
        def psample(self, line, cell=None):
            """Samples a statement (or the cell) and prints pyrometer sample's summary;
            -r returns the SampleProfile."""
            options, rest = self.parse_options(line, "r", "rate=", "mode=", "idle", posix=False, strict=False)
            statement = cell if cell is not None else rest
            try:
                rate = float(options["rate"]) if "rate" in options else 1000.0
            except ValueError:
                raise UsageError("--rate must be a number of samples per second")
            mode = options.get("mode", "cpu")
            idle, keep = "idle" in options, "r" in options
            if not statement.strip():
                raise UsageError("%psample needs a statement to sample")
            try:
                sampler = Sampler(rate=rate, mode=mode, idle=idle)
            except ValueError as error:
                raise UsageError(str(error))
            with sampler:
                self._run(statement)
            profile = sampler.result()
            print(profile.summary(), end="")
            return profile if keep else None

    return PyrometerMagics


def load_ipython_extension(ipython):
    if _native.load() is None:
        raise ImportError("pyrometer's native engine (_pyrometer) is not built for this Python")
    ipython.register_magics(_make_magics_class())


def unload_ipython_extension(ipython):
    manager = ipython.magics_manager
    for name in _LINE_MAGICS:
        manager.magics["line"].pop(name, None)
    for name in _CELL_MAGICS:
        manager.magics["cell"].pop(name, None)
    manager.registry.pop("PyrometerMagics", None)
