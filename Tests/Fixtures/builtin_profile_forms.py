"""Every form of the builtins `profile` that kernprof and memory_profiler accept,
run under `pyrometer lines` and `pyrometer memory`:
@profile, @profile(precision=4), @profile(stream=...), @profile(), `with profile:`,
profile.enable_by_count()/disable_by_count(), a method and a property.

Known answers: each of a, b, c, d, Shape.area and Shape.side runs once and is in
the report; the program prints "forms ok".
"""
import sys


@profile
def a(n):
    return sum(range(n))


@profile(precision=4)
def b(n):
    return len(bytearray(n))


@profile(stream=sys.stdout)
def c():
    return 1


@profile()
def d():
    return 2


class Shape:
    @profile
    def area(self):
        return 6

    @property
    @profile
    def side(self):
        return 3


with profile:
    a(10)
profile.enable_by_count()
b(1000)
profile.disable_by_count()
assert (c(), d(), Shape().area(), Shape().side) == (1, 2, 6, 3)
print("forms ok")
