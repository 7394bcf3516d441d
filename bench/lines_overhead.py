"""Overhead of `pyrometer lines` next to line_profiler (kernprof -l), in one run.

For each workload the program runs alone, under pyrometer and under kernprof; each
program times its own work inside the process (start-up does not count) and prints
`BENCH_SECONDS s`. Every configuration runs --repeat times, interleaved, and the
fastest time counts. Ratios are against the program alone.

Run it with the Python whose pyrometer build is measured (bench/run-lines does).
"""
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchlib import arguments, compare

HERE = Path(__file__).resolve().parent


def main():
    args = arguments()
    python = sys.executable
    kernprof = shutil.which("kernprof", path=os.path.dirname(python))
    out = tempfile.mkdtemp()
    lprof = os.path.join(out, "out.lprof")
    programs = HERE / "programs"
    primes = programs / "primes_bench.py"
    tracer = programs / "raytracer.py"

    workloads = {
        "primes (line-dense, @profile)": {
            "alone": [python, primes],
            "pyrometer lines": [args.pyrometer, "lines", primes],
            "line_profiler": [kernprof, "-l", "-q", "-o", lprof, primes],
        },
        "ray tracer (every function)": {
            "alone": [python, tracer, "--size", "60"],
            "pyrometer lines": [args.pyrometer, "lines", "--module", tracer, tracer, "--size", "60"],
            "line_profiler": [kernprof, "-l", "-q", "-o", lprof, "-p", tracer, tracer, "--size", "60"],
        },
    }
    print(f"Python %d.%d.%d, best of {args.repeat} interleaved runs (seconds inside the process)" % sys.version_info[:3])
    compare(workloads, args.repeat, programs)


if __name__ == "__main__":
    main()
