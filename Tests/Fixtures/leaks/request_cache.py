"""Planted leak: a cache keyed per request, never evicted."""
import itertools

_CACHE = {}
_requests = itertools.count()


def handle():
    for _ in range(10):
        key = "request-%d" % next(_requests)  # a new key per request
        _CACHE[key] = {"user": key, "items": [1, 2, 3]}
