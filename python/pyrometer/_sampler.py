"""``pyrometer sample`` from Python: a statistical sampler of every thread.

    with pyrometer.Sampler(rate=1000, mode="cpu") as sampler:
        work()
    profile = sampler.result()      # SampleProfile: numbers, top functions, lines
    print(profile.summary())        # the terminal summary of `pyrometer sample`
"""
import json

from . import _native
from ._session import Session


class SampleProfile:
    """A sample profile (what ``pyrometer sample -o`` saves): ``data`` is the
    dict; the summary's numbers are attributes."""

    def __init__(self, data):
        self.data = data

    def __getattr__(self, name):
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(name) from None

    def to_dict(self):
        return self.data

    def _frames(self, stack):
        return [self.data["frames"][index] for index in stack["frames"]]

    def functions(self):
        """[(qualified name, file, own samples, total samples)], most own samples first."""
        table = {}
        for stack in self.data["stacks"]:
            frames = self._frames(stack)
            seen = set()
            for position, frame in enumerate(frames):
                key = (frame["function"], frame["file"], frame["firstLine"])
                entry = table.setdefault(key, [0, 0])
                if key not in seen:
                    entry[1] += stack["samples"]
                    seen.add(key)
                if position == len(frames) - 1:
                    entry[0] += stack["samples"]
        rows = [(key[0], key[1], own, total) for key, (own, total) in table.items()]
        return sorted(rows, key=lambda row: (-row[2], -row[3], row[0]))

    def lines(self):
        """[(file, line, qualified name, samples)], most samples first."""
        table = {}
        for stack in self.data["stacks"]:
            if stack["frames"]:
                frame = self.data["frames"][stack["frames"][-1]]
                key = (frame["file"], frame["line"], frame["function"])
                table[key] = table.get(key, 0) + stack["samples"]
        return sorted(((*key, samples) for key, samples in table.items()), key=lambda row: (-row[3], row[0], row[1]))

    def summary(self, top=15):
        """The text `pyrometer sample` prints."""
        return _native.load().render(json.dumps(self.data), None, False, False, top, False)

    def __repr__(self):
        return (f"<SampleProfile {self.mode} {self.rate:g} Hz: {self.samplesTaken} samples "
                f"of {self.samplesExpected} expected>")


class Sampler:
    """Samples every Python thread from ``start()`` to ``stop()`` (or inside a
    ``with`` block). ``mode``: "cpu" (CPU time), "wall" or "gil"; ``idle``
    keeps waiting threads; ``main_thread`` samples only the main thread.
    Started again, it goes on counting."""

    def __init__(self, rate=1000, mode="cpu", idle=False, main_thread=False):
        self._session = Session("sample", rate=float(rate), mode=mode, idle=bool(idle), main_thread=bool(main_thread))
        self._stops_at_exit = False

    def start(self):
        if not self._stops_at_exit:
            # The engine's threads must be stopped before the interpreter ends.
            import atexit
            atexit.register(self._session.stop)
            self._stops_at_exit = True
        self._session.start()
        return self

    def stop(self):
        self._session.stop()

    @property
    def running(self):
        return self._session.running

    def result(self):
        """What was sampled so far, as a :class:`SampleProfile`."""
        return SampleProfile(self._session.result())

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False
