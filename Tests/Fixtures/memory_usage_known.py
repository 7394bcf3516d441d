"""memory_usage of a module named on the command line (`pyrometer` or
`memory_profiler`) on known allocations, printed as JSON:
- `hold()` keeps 200 MiB (touched) for 0.6 s and frees it: the largest sample of
  memory_usage((hold, (), {})) is at least 190 MiB above the baseline;
- retval=True gives (usage, 42); max_usage=True a single float;
- proc=-1 with timeout 0.3 and interval 0.1 gives 3 samples;
- a child process holding 100 MiB: include_children=True sees at least 90 MiB more.
"""
import importlib
import json
import multiprocessing
import os
import sys
import time

module = importlib.import_module(sys.argv[1])
MIB = 2**20


def hold():
    block = bytearray(200 * MIB)
    for offset in range(0, len(block), 4096):
        block[offset] = 1
    time.sleep(0.6)
    del block
    return 42


def child(ready, finish):
    block = bytearray(100 * MIB)
    for offset in range(0, len(block), 4096):
        block[offset] = 1
    ready.set()
    finish.wait(10)


if __name__ == "__main__":
    baseline = module.memory_usage(-1, interval=0.1)[0]
    samples = module.memory_usage((hold, (), {}), interval=0.05)
    usage, value = module.memory_usage((hold, (), {}), interval=0.05, retval=True, max_usage=True)
    current = module.memory_usage(-1, interval=0.1, timeout=0.3)
    context = multiprocessing.get_context("fork")
    ready, finish = context.Event(), context.Event()
    worker = context.Process(target=child, args=(ready, finish))
    worker.start()
    ready.wait(10)
    alone = module.memory_usage(-1, interval=0.1)[0]
    together = module.memory_usage(-1, interval=0.1, include_children=True)[0]
    finish.set()
    worker.join()
    print(json.dumps({"baseline": baseline, "peak_above_baseline": max(samples) - baseline,
                      "samples_are_floats": all(isinstance(s, float) for s in samples),
                      "max_usage_above_baseline": usage - baseline, "retval": value,
                      "timeout_samples": len(current), "children_extra": together - alone}))
