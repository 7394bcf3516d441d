"""Known answers for pyrometer compare: `work(n)` loops n times (argument 1),
`keep(mib)` returns a bytearray of that many MiB (argument 2), `steady` does the
same in every run."""
import sys


def work(n):
    total = 0
    for i in range(n):  # compare-loop
        total += i  # compare-add
    return total


def steady():
    return sum(range(100))


def keep(mib):
    return bytearray(mib * 2**20)  # compare-alloc


loops = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
mib = int(sys.argv[2]) if len(sys.argv) > 2 else 0
work(loops)
steady()
held = keep(mib)
