"""Calls work(100) until the result file named by argv[1] (written by pyrometer's
-i/--output-interval while this program runs) shows work's lines, then prints
"seen N" with the calls the file counted and "calls M" with the calls made, and
ends (status 3 if no snapshot came within 60 s). Known answers: the snapshot's
for line has 101 hits per counted call, its calls are at most M, and the final
file counts exactly M calls."""
import json
import sys
import time


def work(n):
    total = 0  # work-total
    for i in range(n):  # work-for
        total += i  # work-body
    return total  # work-return


def counted_calls(path):
    """The calls of work a snapshot counted (None: no snapshot yet)."""
    try:
        with open(path) as file:
            result = json.load(file)
    except FileNotFoundError:
        return None
    for function in result["functions"]:
        if function["name"] == "work":
            lines = {entry["line"]: entry for entry in function["lines"]}
            entry = lines.get(work.__code__.co_firstlineno + 1)  # work-total
            # lines: hits; memory: occurrences
            return entry and entry.get("hits", entry.get("occurrences"))
    return None


calls = 0
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    work(100)
    calls += 1
    seen = counted_calls(sys.argv[1])
    if seen:
        print("seen", seen)
        print("calls", calls)
        sys.exit(0)
    time.sleep(0.002)
sys.exit(3)
