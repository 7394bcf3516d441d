"""Overhead of `pyrometer memory` next to memory_profiler, tracemalloc and memray.

(a) The seed's primes function (@profile), line by line: alone, under
    `pyrometer memory` and under `python -m memory_profiler`.
(b) The ray tracer as a whole program, no decorators: alone, with
    `pyrometer memory --top 10`, with `python -X tracemalloc` and with `memray run`.
Each program times its own work inside the process; the fastest of --repeat
interleaved runs counts (memory_profiler, which is very slow, runs once, one
round). Ratios are against the program alone.
"""
import sys
import tempfile
from pathlib import Path

from benchlib import arguments, compare

HERE = Path(__file__).resolve().parent


def main():
    args = arguments()
    python = sys.executable
    programs = HERE / "programs"
    primes, tracer = programs / "primes_bench.py", programs / "raytracer.py"
    out = tempfile.mkdtemp()
    version = "%d.%d.%d" % sys.version_info[:3]
    workloads = {
        "primes (line by line)": {
            "alone": [python, primes, "5"],
            "pyrometer memory": [args.pyrometer, "memory", primes, "5"],
            "memory_profiler": [python, "-m", "memory_profiler", primes, "1"],
        },
        "ray tracer (whole program)": {
            "alone": [python, tracer, "--size", "60"],
            "pyrometer memory --top": [args.pyrometer, "memory", "--top", "10", tracer, "--size", "60"],
            "tracemalloc": [python, "-X", "tracemalloc", tracer, "--size", "60"],
            "memray": [python, "-m", "memray", "run", "-q", "--force", "-o", f"{out}/tracer.bin", tracer, "--size", "60"],
        },
    }
    print(f"Python {version}, best of {args.repeat} interleaved runs (memory_profiler: one run)")
    compare(workloads, args.repeat, programs, once={"memory_profiler"})


if __name__ == "__main__":
    main()
