"""Planted leak with a known size: every call registers 4 sessions in a
module-level registry and never removes them. Each session holds a payload
of 10,000 bytes only it refers to, so what the leak holds grows by about
4 x (10,000 + the session, its payload's header, its key) bytes per call."""
import itertools

PAYLOAD = 10_000
_registry = {}
_numbers = itertools.count()


class Session:
    def __init__(self, number):
        self.number = number
        self.payload = bytes(PAYLOAD)


def handle():
    for _ in range(4):
        number = next(_numbers)
        _registry["session-%d" % number] = Session(number)
