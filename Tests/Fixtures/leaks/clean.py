"""No leak: temporary objects, a bounded cache, a list rebuilt every call."""
import functools

RECENT = []


@functools.lru_cache(maxsize=16)
def square(number):
    return number * number


def handle():
    global RECENT
    data = [{"n": n, "label": "item %d" % n} for n in range(200)]
    total = sum(square(n % 8) for n in range(200))
    RECENT = [d["label"] for d in data[:10]]
    return total + len(data)
