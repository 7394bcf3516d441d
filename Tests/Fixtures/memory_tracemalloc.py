"""Builds structures at distinct lines; under `python -X tracemalloc` it prints
tracemalloc's view of the lines holding the most memory at its end."""
import json
import sys
import tracemalloc

table = {i: str(i) * 3 for i in range(200_000)}  # tm-dict
rows = [[j for j in range(20)] for i in range(20_000)]  # tm-rows
blob = bytes(8 * 2**20)  # tm-blob
words = " ".join(str(i) for i in range(300_000)).split()  # tm-words
del rows[: len(rows) // 2]

if tracemalloc.is_tracing():
    snapshot = tracemalloc.take_snapshot()
    stats = snapshot.statistics("lineno")
    print(json.dumps([[s.traceback[0].filename, s.traceback[0].lineno, s.size, s.count] for s in stats[:10]]))
