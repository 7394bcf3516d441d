"""Prints the hits per line of a kernprof .lprof file as JSON:
{"NAME@FIRSTLINE": {"LINE": HITS}}, lines with no hits left out."""
import json
import sys

import line_profiler

stats = line_profiler.load_stats(sys.argv[1])
result = {}
for (filename, first_line, name), timings in stats.timings.items():
    lines = {str(line): hits for line, hits, _ in timings if hits}
    key = f"{name}@{first_line}"
    merged = result.setdefault(key, {})
    for line, count in lines.items():
        merged[line] = merged.get(line, 0) + count
print(json.dumps(result))
