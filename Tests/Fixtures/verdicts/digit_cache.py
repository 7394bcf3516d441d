"""A bounded cache of the last 64 requests, keyed and valued by strings that
hold the request's number: the number of entries never changes, but the strings
get one character longer each time the numbers gain a digit (at request 100,
1000...), so their bytes rise, a little, and then stop."""
from collections import OrderedDict

CACHE = OrderedDict()
LIMIT = 64
counter = 0


def handle():
    global counter
    for _ in range(16):
        counter += 1
        CACHE[f"request-{counter}"] = f"response to request {counter}"
        if len(CACHE) > LIMIT:
            CACHE.popitem(last=False)
