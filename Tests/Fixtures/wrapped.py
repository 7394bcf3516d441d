"""@profile on objects that are not plain functions."""
import functools


@profile
@functools.lru_cache(maxsize=None)
def cached_square(x):
    return x * x  # cached-body


@profile
class Shape:
    def __init__(self, side):
        self.side = side  # shape-init

    def area(self):
        return self.side * self.side  # shape-area


for value in [1, 2, 1, 2, 3]:
    cached_square(value)
for side in range(4):
    Shape(side).area()
