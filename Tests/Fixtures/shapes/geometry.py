"""A module selected with --module or -f module:function."""


def area(w, h):
    return w * h  # area-body


class Rect:
    def __init__(self, w, h):
        self.w = w
        self.h = h

    def perimeter(self):
        return 2 * (self.w + self.h)  # perimeter-body


def never_called():
    return 0
