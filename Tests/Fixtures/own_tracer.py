"""A program with its own trace function, set while it runs.

`python own_tracer.py sys`: sys.settrace(tracer), then loop(1112), then
sys.settrace(None). `python own_tracer.py thread`: threading.settrace(tracer), then a
thread runs loop(1112), then threading.settrace(None).

It prints {"calls": ..., "lines": ...}: the 'call' and 'line' events its tracer saw
for loop. Known answers: 1 call; 1 + 1113 + 1112 + 1 = 2227 line events. Under
`pyrometer lines -f loop` the for line has 1113 hits and the body 1112.
"""
import json
import sys
import threading


def loop(n):
    total = 0  # loop-total
    for i in range(n):  # loop-for
        total += i  # loop-body
    return total  # loop-return


seen = {"calls": 0, "lines": 0}


def tracer(frame, event, arg):
    if frame.f_code is loop.__code__:
        if event == "call":
            seen["calls"] += 1
        elif event == "line":
            seen["lines"] += 1
    return tracer


if __name__ == "__main__":
    if sys.argv[1] == "sys":
        sys.settrace(tracer)
        loop(1112)
        sys.settrace(None)
    else:
        threading.settrace(tracer)
        worker = threading.Thread(target=loop, args=(1112,))
        worker.start()
        worker.join()
        threading.settrace(None)
    print(json.dumps(seen))
