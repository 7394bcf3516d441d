"""How often `pyrometer timeit` calls two identical statements significantly
different: the false-positive rate of its verdict, at loop counts users run.

Each comparison is one `pyrometer timeit --json -n LOOPS -r 5 STMT STMT` (a fresh
process, as from the shell); the verdict is the second row's `significant`. Also
counted: how many had p < 0.05 alone, before the 5% minimum difference.
"""
import argparse
import json
import subprocess
import sys
import time

SETUP = ["-s", "x = {'a': 1, 'b': 2}; y = {'b': 3, 'c': 4}"]
STATEMENT = "{**x, **y}"


def compare(binary, loops):
    out = subprocess.run([binary, "timeit", "--json", "-n", str(loops), "-r", "5", *SETUP, STATEMENT, STATEMENT],
                         capture_output=True, text=True, check=True).stdout
    slower = json.loads(out)["statements"][1]
    return slower["significant"], slower["pValue"] < 0.05, slower["relative"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pyrometer", required=True)
    parser.add_argument("--comparisons", type=int, default=100)
    parser.add_argument("--loops", type=int, nargs="+", default=[20000, 1000000])
    args = parser.parse_args()
    version = "%d.%d.%d" % sys.version_info[:3]
    print(f"Python {version}: {STATEMENT!r} against itself, -r 5, {args.comparisons} comparisons per loop count")
    print(f"{'loops':>9} {'significant':>12} {'p < 0.05 alone':>15} {'largest ratio':>14} {'seconds':>8}")
    for loops in args.loops:
        started = time.monotonic()
        results = [compare(args.pyrometer, loops) for _ in range(args.comparisons)]
        significant = sum(r[0] for r in results)
        small_p = sum(r[1] for r in results)
        largest = max(r[2] for r in results)
        print(f"{loops:>9} {significant:>8}/{args.comparisons} {small_p:>11}/{args.comparisons} {largest:>13.3f}x "
              f"{time.monotonic() - started:>8.0f}")
        print(f"FALSEPOSITIVES {version} loops={loops} {significant}/{args.comparisons} (p<0.05 alone: {small_p})")


if __name__ == "__main__":
    main()
