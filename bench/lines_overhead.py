"""Overhead of `pyrometer lines` next to line_profiler (kernprof -l), in one run.

For each workload the program runs alone, under pyrometer and under kernprof; each
program times its own work inside the process (start-up does not count) and prints
`BENCH_SECONDS s`. Every configuration runs --repeat times, interleaved, and the
fastest time counts. Ratios are against the program alone.

Run it with the Python whose pyrometer build is measured (bench/run-lines does).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def seconds(command, cwd):
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, command))}\n{proc.stderr}")
    match = re.search(r"BENCH_SECONDS ([0-9.]+)", proc.stderr)
    return float(match.group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pyrometer", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
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
    version = "%d.%d.%d" % sys.version_info[:3]
    print(f"Python {version}, best of {args.repeat} interleaved runs (seconds inside the process)")
    print(f"{'workload':32} {'tool':16} {'seconds':>9} {'overhead':>9}")
    for name, commands in workloads.items():
        best = {tool: float("inf") for tool in commands}
        for _ in range(args.repeat):
            for tool, command in commands.items():
                best[tool] = min(best[tool], seconds(command, programs))
        for tool, value in best.items():
            print(f"{name:32} {tool:16} {value:9.4f} {value / best['alone']:8.2f}x")
        print(f"RATIO {version} {name.split()[0]} pyrometer={best['pyrometer lines'] / best['alone']:.2f} "
              f"line_profiler={best['line_profiler'] / best['alone']:.2f}")


if __name__ == "__main__":
    main()
