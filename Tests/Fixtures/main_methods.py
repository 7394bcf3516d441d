"""Methods of classes defined in the program run as __main__ (one nested),
called a known number of times: Shape.area 4 times, Outer.Inner.depth 3 times,
the module-level helper 2 times."""


class Shape:
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side * self.side  # area-body


class Outer:
    class Inner:
        def depth(self):
            return 2  # depth-body


def helper():
    return 1  # helper-body


if __name__ == "__main__":
    total = sum(Shape(side).area() for side in range(4))
    total += sum(Outer.Inner().depth() for _ in range(3))
    total += helper() + helper()
    print(total)
