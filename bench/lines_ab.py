"""Two builds of `pyrometer lines` against each other and the program alone, in
one run, interleaved: did a change make line timing slower?

    python bench/lines_ab.py --before OLD/pyrometer --after NEW/pyrometer [--repeat 15]

Runs bench/programs/primes_bench.py (line-dense, about 1.6 million line events)
with the Python running this script; prints the best time of each and the ratios.
"""
import argparse
import re
import subprocess
import sys
from pathlib import Path

PROGRAM = Path(__file__).resolve().parent / "programs" / "primes_bench.py"


def seconds(command):
    proc = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(re.findall(r"BENCH_SECONDS ([0-9.]+)", proc.stdout + proc.stderr)[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", required=True)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    commands = {"alone": [sys.executable, PROGRAM], "before": [args.before, "lines", PROGRAM],
                "after": [args.after, "lines", PROGRAM]}
    best = {name: float("inf") for name in commands}
    for _ in range(args.repeat):
        for name, command in commands.items():
            best[name] = min(best[name], seconds(command))
    print("Python %d.%d.%d, primes, best of %d interleaved runs" % (*sys.version_info[:3], args.repeat))
    for name in commands:
        print(f"  {name:7} {best[name]:.4f} s  {best[name] / best['alone']:.2f}x")


if __name__ == "__main__":
    main()
