"""Runs one of pyperformance's benchmarks as a plain program, in this process:
no pyperf runner, no worker processes, no calibration. The benchmark's source is
the one installed with the pyperformance package (bench/requirements.txt); it is
imported as a module (so its own `__main__` block, the pyperf runner, does not
run) and its workload is called a fixed number of times.

    python pyperformance_program.py NAME [--loops N] [--line-profile FILE.lprof]

With --line-profile, line_profiler times every function of the benchmark's
module (LineProfiler.add_module, what kernprof -l runs) and saves its stats to
FILE (bench/sample_hottest.py reads them). Prints the benchmark's name on stdout, and on stderr the seconds (BENCH_SECONDS)
and the process's CPU seconds (BENCH_CPU) the workload took, measured inside the
process."""
import importlib.util
import sys
import time
from pathlib import Path

# How each benchmark's workload is called, with the arguments its pyperf runner
# passes, and how many loops make one run of about a second of CPU time.
WORKLOADS = {
    "raytrace": (lambda bm, loops: bm.bench_raytrace(loops, bm.DEFAULT_WIDTH, bm.DEFAULT_HEIGHT, None), 1),
    "richards": (lambda bm, loops: bm.Richards().run(loops), 6),
    "deltablue": (lambda bm, loops: [bm.delta_blue(100) for _ in range(loops)], 120),
    "go": (lambda bm, loops: [bm.versus_cpu() for _ in range(loops)], 2),
    "nqueens": (lambda bm, loops: [list(bm.n_queens(8)) for _ in range(loops)], 8),
    "hexiom": (lambda bm, loops: bm.main(loops, bm.DEFAULT_LEVEL), 100),
}


def benchmark_source(name):
    spec = importlib.util.find_spec("pyperformance")
    if spec is None or spec.origin is None:
        raise SystemExit("pyperformance is not installed (pip install -r bench/requirements.txt)")
    path = Path(spec.origin).parent / "data-files" / "benchmarks" / f"bm_{name}" / "run_benchmark.py"
    if not path.is_file():
        raise SystemExit(f"no pyperformance benchmark {name!r} at {path}")
    return path


def load(name):
    path = benchmark_source(name)
    spec = importlib.util.spec_from_file_location(f"bm_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(argv):
    if not argv or argv[0] not in WORKLOADS:
        raise SystemExit(f"usage: pyperformance_program.py {'|'.join(WORKLOADS)} [--loops N]")
    name = argv[0]
    call, loops = WORKLOADS[name]
    if "--loops" in argv:
        loops = int(argv[argv.index("--loops") + 1])
    module = load(name)
    profiler = None
    if "--line-profile" in argv:
        from line_profiler import LineProfiler
        profiler = LineProfiler()
        profiler.add_module(module)
        profiler.enable_by_count()
    start, cpu = time.perf_counter(), time.process_time()
    call(module, loops)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if profiler is not None:
        profiler.disable_by_count()
        profiler.dump_stats(argv[argv.index("--line-profile") + 1])
    print(name)
    print(f"BENCH_SECONDS {elapsed:.6f}", file=sys.stderr)
    print(f"BENCH_CPU {cpu:.6f}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
