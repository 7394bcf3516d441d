import sys

from shapes.geometry import Rect, area


def main(args):
    for w in range(int(args[0]) if args else 3):
        area(w, 2)  # main-area
        Rect(w, 1).perimeter()


main(sys.argv[1:])
