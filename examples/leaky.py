"""A request handler that leaks: every request's result is cached under a new
key and never evicted. Try:

    pyrometer leaks --call leaky:handle_request --repeat 10 --trace-allocations
"""
import itertools

_results = {}
_ids = itertools.count()


class Result:
    def __init__(self, request_id, rows):
        self.request_id = request_id
        self.rows = rows


def handle_request():
    request_id = "req-%06d" % next(_ids)
    rows = [(n, n * n) for n in range(5)]
    _results[request_id] = Result(request_id, rows)  # the leak: never removed
    return len(rows)


if __name__ == "__main__":
    for _ in range(1000):
        handle_request()
    print(len(_results), "results cached")
