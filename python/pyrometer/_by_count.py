"""Nested on/off, as line_profiler's and memory_profiler's profilers have it: on
at the first of nested enables, off when the outermost ends; with-blocks,
decorated calls and runcall all go through it."""
import functools


class ByCount:
    """Give a class ``enable()`` and ``disable()``; this adds the rest."""

    enable_count = 0

    def enable(self):
        pass

    def disable(self):
        pass

    def enable_by_count(self):
        if self.enable_count == 0:
            self.enable()
        self.enable_count += 1

    def disable_by_count(self):
        if self.enable_count > 0:
            self.enable_count -= 1
            if self.enable_count == 0:
                self.disable()

    def __enter__(self):
        self.enable_by_count()
        return self

    def __exit__(self, *exc):
        self.disable_by_count()
        return False

    def runcall(self, func, *args, **kwargs):
        with self:
            return func(*args, **kwargs)

    def wrap_function(self, func):
        """``func``, measured during each of its calls."""
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return wrapper
