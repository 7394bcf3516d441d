"""Garbage in reference cycles, with automatic collection off and a
`gc.collect()` every 6 calls; and a batch of records kept until the same
flush. The heap rises and falls in a sawtooth; it does not grow."""
import gc

gc.disable()


class Node:
    def __init__(self):
        self.partner = None


class Record:
    def __init__(self, n):
        self.n = n


PENDING = []
calls = 0


def handle():
    global calls
    calls += 1
    for _ in range(20):
        a, b = Node(), Node()
        a.partner, b.partner = b, a  # a cycle: only the collector frees it
    PENDING.extend(Record(n) for n in range(40))
    if calls % 6 == 0:
        PENDING.clear()
        gc.collect()
