"""Per-loop times of the seed's three dict-merge statements from `pyrometer timeit`
and from `python -m timeit`, side by side in one run, on the same Python.

Both get the same loop count (-n) and repeats (-r 5); each tool runs --rounds times,
interleaved, and its fastest per-loop time counts. Also checks that pyrometer's
comparison table ranks the statements as timeit's numbers do.
"""
import argparse
import json
import re
import subprocess
import sys

SETUP = ["x = {'a': 1, 'b': 2}; y = {'b': 3, 'c': 4}",
         "def merge_two_dicts(x, y):", "    z = x.copy()", "    z.update(y)", "    return z"]
STATEMENTS = ["{**x, **y}", "merge_two_dicts(x, y)", "{k: v for d in (x, y) for k, v in d.items()}"]
UNITS = {"nsec": 1e-9, "usec": 1e-6, "msec": 1e-3, "sec": 1.0}


def setup_args():
    return [arg for line in SETUP for arg in ("-s", line)]


def python_timeit(statement, number):
    out = subprocess.run([sys.executable, "-m", "timeit", "-n", str(number), "-r", "5", *setup_args(), statement],
                         capture_output=True, text=True, check=True).stdout
    value, unit = re.search(r"best of \d+: ([0-9.e+-]+) (\w+) per loop", out).groups()
    return float(value) * UNITS[unit]


def pyrometer_timeit(binary, statements, number):
    out = subprocess.run([binary, "timeit", "--json", "-n", str(number), "-r", "5", *setup_args(), *statements],
                         capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    return {s["statement"]: s["statistics"]["best"] for s in result["statements"]}, [s["statement"] for s in result["statements"]]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pyrometer", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--number", type=int, default=1000000)
    args = parser.parse_args()
    ours = {s: float("inf") for s in STATEMENTS}
    theirs = {s: float("inf") for s in STATEMENTS}
    rankings = []
    for _ in range(args.rounds):
        for statement in STATEMENTS:
            theirs[statement] = min(theirs[statement], python_timeit(statement, args.number))
        times, ranking = pyrometer_timeit(args.pyrometer, STATEMENTS, args.number)
        rankings.append(ranking)
        for statement, value in times.items():
            ours[statement] = min(ours[statement], value)
    version = "%d.%d.%d" % sys.version_info[:3]
    print(f"Python {version}: -n {args.number} -r 5, best of {args.rounds} rounds, seconds per loop")
    print(f"{'statement':48} {'python -m timeit':>17} {'pyrometer timeit':>17} {'ratio':>7}")
    for statement in STATEMENTS:
        ratio = ours[statement] / theirs[statement]
        print(f"{statement:48} {theirs[statement] * 1e9:12.1f} nsec {ours[statement] * 1e9:12.1f} nsec {ratio:7.3f}")
        print(f"RATIO {version} {statement!r} {ratio:.3f}")
    timeit_order = sorted(STATEMENTS, key=theirs.get)
    print("ranking agrees with python -m timeit in every round:", all(r == timeit_order for r in rankings))


if __name__ == "__main__":
    main()
