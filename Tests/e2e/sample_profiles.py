"""Hand-made `pyrometer.sample` result files with known answers, written as the
Codable model writes them (keys sorted, with "format" and "version"), for the
tests of the pictures drawn from a sample profile."""
import json

WORK = "/src/work.py"
THREADING = "/usr/lib/python3/threading.py"
HOSTILE_FUNCTION = "<script>alert('x')</script>"
HOSTILE_FILE = "/src/evil]]>&.py"
SEMICOLON_FUNCTION = "odd;name\nsecond line"

WORK_SOURCE = [
    "import threading",                       # 1
    "",                                       # 2
    "def alpha(n):",                          # 3
    "    total = 0",                          # 4
    "    for i in range(n): total += i * i",  # 5
    "    return total  # ]]> </script> <b>",  # 6
    "",                                       # 7
    "",                                       # 8
    "",                                       # 9
    "def beta(n):",                           # 10
    "    s = 'x'",                            # 11
    "    return sum(range(n))",               # 12
    "",                                       # 13
    "",                                       # 14
    "def worker():",                          # 15
    "    x = 0",                              # 16
    "    return alpha(10)",                   # 17
    "",                                       # 18
    "",                                       # 19
    "def main():",                            # 20
    "    t = threading.Thread(target=worker)",  # 21
    "    t.start()",                          # 22
    "    t.join()",                           # 23
    "    n = 1000",                           # 24
    "    alpha(n)",                           # 25
    "    beta(n)",                            # 26
    "",                                       # 27
    "",                                       # 28
    "",                                       # 29
    "main()",                                 # 30
]


def frame(function, file, line, first):
    return {"file": file, "firstLine": first, "function": function, "line": line}


def known_profile(hostile=True):
    """A profile whose answers are known: alpha 700 samples (own), beta 300,
    worker's thread 100 (alpha under worker: 100), fact recursing 4 deep 50,
    and, when `hostile`, 10 samples in a function named like a script tag."""
    frames = [
        frame("<module>", WORK, 30, 1),              # 0
        frame("main", WORK, 25, 20),                 # 1
        frame("alpha", WORK, 5, 3),                  # 2
        frame("alpha", WORK, 6, 3),                  # 3
        frame("main", WORK, 26, 20),                 # 4
        frame("beta", WORK, 12, 10),                 # 5
        frame("Thread.run", THREADING, 1010, 1000),  # 6
        frame("worker", WORK, 17, 15),               # 7
        frame("fact", WORK, 40, 38),                 # 8
        frame("main", WORK, 23, 20),                 # 9
    ]
    stacks = [
        {"frames": [0, 1, 2], "samples": 500, "nanoseconds": 500_000_000, "thread": 0},
        {"frames": [0, 1, 3], "samples": 200, "nanoseconds": 200_000_000, "thread": 0},
        {"frames": [0, 4, 5], "samples": 300, "nanoseconds": 300_000_000, "thread": 0},
        {"frames": [6, 7, 2], "samples": 100, "nanoseconds": 100_000_000, "thread": 1},
        {"frames": [0, 9, 8, 8, 8, 8], "samples": 50, "nanoseconds": 50_000_000, "thread": 0},
    ]
    sources = {WORK: WORK_SOURCE}
    if hostile:
        frames.append(frame(HOSTILE_FUNCTION, HOSTILE_FILE, 2, 1))     # 10
        frames.append(frame(SEMICOLON_FUNCTION, HOSTILE_FILE, 5, 4))   # 11
        stacks.append({"frames": [0, 10], "samples": 10, "nanoseconds": 10_000_000, "thread": 0})
        stacks.append({"frames": [0, 10, 11], "samples": 5, "nanoseconds": 5_000_000, "thread": 0})
        sources[HOSTILE_FILE] = ["def <script>():", "    x = 1  # ]]> </script><script>alert(1)</script>", "", "def odd(): pass", "    return 1"]
    taken = sum(s["samples"] for s in stacks)
    return {
        "format": "pyrometer.sample",
        "version": 1,
        "python": "3.12.1",
        "command": ["work.py"],
        "mode": "cpu",
        "idle": False,
        "requestedRate": 1000.0,
        "rate": 1000.0,
        "duration": taken / 1000,
        "samplesExpected": taken + 3,
        "samplesTaken": taken,
        "samplesDropped": {"torn": 3},
        "frames": frames,
        "stacks": stacks,
        "threads": [{"id": 4242, "name": "MainThread"}, {"id": 4243, "name": "Thread-1 (worker)"}],
        "sources": sources,
    }


def write(path, profile):
    path.write_text(json.dumps(profile, sort_keys=True, indent=2))
    return path
