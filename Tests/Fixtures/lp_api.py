"""The same code profiled by `LineProfiler` of a module named on the command line
(`pyrometer` or `line_profiler`), through the API people use: the constructor,
add_function, add_class, the decorator on a function, a generator, a coroutine, a
method, a property and a staticmethod, runcall, runctx, enable/disable, and a
second profiler enabled over part of the first one's time. Prints, as JSON, each
profiler's hits per line and stats unit.

Known answers: both modules give the same hits on every line (the test compares).
"""
import asyncio
import importlib
import json
import sys

module = importlib.import_module(sys.argv[1])


def primes(n):
    if n == 2:
        return [2]
    s = list(range(3, n + 1, 2))
    i = 0
    while i < len(s):
        i += 1
    return s


def squares(n):
    for i in range(n):
        yield i * i


async def wait_and_add(a, b):
    await asyncio.sleep(0)
    return a + b


class Shape:
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side * self.side

    @property
    def perimeter(self):
        return 4 * self.side

    @staticmethod
    def unit():
        return Shape(1)


def helper(x):
    total = 0
    for i in range(x):
        total += i
    return total


first = module.LineProfiler(primes)
first.add_function(helper)
first.add_class(Shape)
first.runcall(primes, 50)
first.runctx("helper(7)", globals(), locals())
wrapped_squares = first(squares)
assert sum(wrapped_squares(6)) == 55
wrapped_wait = first(wait_and_add)
assert asyncio.run(wrapped_wait(2, 3)) == 5
first.enable()
shapes = [Shape(3), Shape.unit()]
areas = [shape.area() for shape in shapes] + [shape.perimeter for shape in shapes]
second = module.LineProfiler(helper)
second.enable()
helper(4)
first.disable()
helper(5)
second.disable()
helper(100)  # neither is enabled


def hits(profiler):
    stats = profiler.get_stats()
    return {"%s:%d" % (key[2].split(".")[-1], line): count
            for key, lines in stats.timings.items() for line, count, _ in lines}, stats.unit


first_hits, first_unit = hits(first)
second_hits, second_unit = hits(second)
print(json.dumps({"first": first_hits, "second": second_hits, "units": [first_unit, second_unit]}))
