"""A handler that leaks 25 Records per call when COMPARE_LEAK is set, and keeps
nothing otherwise (the base and the change of a leak gate)."""
import os

LEAKING = bool(os.environ.get("COMPARE_LEAK"))


class Record:
    def __init__(self, number):
        self.number = number


HISTORY = []


def handle():
    records = [Record(number) for number in range(25)]
    if LEAKING:
        HISTORY.extend(records)
    return len(records)
