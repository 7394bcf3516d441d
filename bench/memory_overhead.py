"""Overhead of `pyrometer memory` next to memory_profiler, tracemalloc and memray.

(a) The seed's primes function (@profile), line by line: alone, under
    `pyrometer memory` and under `python -m memory_profiler`.
(b) The ray tracer as a whole program, no decorators: alone, with
    `pyrometer memory --top 10`, with `python -X tracemalloc` and with `memray run`.
Each program times its own work inside the process; the fastest of --repeat
interleaved runs counts (memory_profiler, which is very slow, runs once, one
round). Ratios are against the program alone.
"""
import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def seconds(command, cwd):
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, command))}\n{proc.stderr[-2000:]}")
    return float(re.search(r"BENCH_SECONDS ([0-9.]+)", proc.stderr).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pyrometer", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
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
    print(f"{'workload':28} {'tool':24} {'seconds':>9} {'overhead':>9}")
    for name, commands in workloads.items():
        best = {tool: float("inf") for tool in commands}
        for round_number in range(args.repeat):
            for tool, command in commands.items():
                if tool == "memory_profiler" and round_number > 0:
                    continue
                best[tool] = min(best[tool], seconds(command, programs))
        for tool, value in best.items():
            print(f"{name:28} {tool:24} {value:9.4f} {value / best['alone']:8.2f}x")
        ratios = " ".join(f"{tool.split()[0] if tool != 'pyrometer memory --top' else 'pyrometer'}={value / best['alone']:.2f}"
                          for tool, value in best.items() if tool != "alone")
        print(f"RATIO {version} {name.split()[0]} {ratios}")


if __name__ == "__main__":
    main()
