"""Leak verdicts on programs pyrometer's authors did not write: pyperformance's
benchmarks, one workload iteration per call.

For each benchmark, `pyrometer leaks --call target.py:iteration --repeat N` must
report nothing (the benchmarks do not leak: every report is a false alarm), and
the same iteration with leaks planted beside it must have every planted leak
found:

- `Planted`: one object kept each call;
- `SlowPlanted`: one object kept every 5th call;
- a small-bytes leak: a str 8 characters longer each call (no new object, so
  it can only be found by the bytes of `str`, among the benchmark's own strings).

The benchmarks' sources come from the installed pyperformance package (its
data-files/benchmarks/bm_*/run_benchmark.py); the wrapper modules are written to
a temporary folder at run time. Prints one line per benchmark and a BAR line.

    python bench/leaks_clean.py --pyrometer .build-3.11/release/pyrometer [--repeat 20] [--only go,richards]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# benchmark -> (setup at import, one iteration). `bm` is the benchmark's module.
TARGETS = {
    "richards": ("runner = bm.Richards()", "runner.run(1)"),
    "deltablue": ("", "bm.delta_blue(100)"),
    "nqueens": ("", "bm.bench_n_queens(8)"),
    "float": ("", "bm.benchmark(bm.POINTS // 4)"),
    "go": ("", "bm.versus_cpu()"),
    "hexiom": ("", "bm.main(1, 10)"),
    "fannkuch": ("", "bm.fannkuch(8)"),
    "nbody": ("", "bm.bench_nbody(1, bm.DEFAULT_REFERENCE, 5000)"),
    "raytrace": ("", "bm.bench_raytrace(1, 40, 40, None)"),
    "spectral_norm": ("", "bm.bench_spectral_norm(1)"),
    "deepcopy": ("", "bm.benchmark(1); bm.benchmark_reduce(1); bm.benchmark_memo(1)"),
    "generators": ("", "bm.bench_generators(1)"),
    "coroutines": ("", "bm.bench_coroutines(1)"),
    "json_dumps": ("data = [(obj, range(count)) for obj, count in (getattr(bm, case) for case in bm.CASES)]",
                   "bm.bench_json_dumps(data)"),
    "json_loads": ("import json\nobjs = tuple(json.dumps(value) for value in (bm.DICT, bm.TUPLE, bm.DICT_GROUP))",
                   "bm.bench_json_loads(objs)"),
    "regex_v8": ("", "bm.bench_regex_v8(1)"),
    "regex_compile": ("regexes = bm.capture_regexes()", "bm.bench_regex_compile(1, regexes)"),
    "sqlite_synth": ("", "bm.bench_sqlite(1)"),
    "typing_runtime_protocols": ("", "bm.bench_protocols(1)"),
    "pprint": ("printable = bm.printable[:5000]\nprinter = bm.PrettyPrinter()", "printer.pformat(printable)"),
}

# Benchmarks that really grow when their iteration is called again and again:
# their reports are true, not false alarms (each checked by hand, as said).
GROWS = {
    # Every Task links itself to taskWorkArea.taskList, which no run resets: each
    # run adds 6 tasks and the 8 packets they hold to a chain from the module.
    "richards": "each run chains 6 more tasks (and their packets) to bm.taskWorkArea.taskList",
}

PLANTED = ["leak_target.Planted", "leak_target.SlowPlanted", "str"]

WRAPPER = '''\
"""One iteration of pyperformance's bm_{name}, for pyrometer leaks --call."""
import importlib.util
import sys

sys.path.insert(0, {folder!r})
_spec = importlib.util.spec_from_file_location("bm_{name}", {source!r})
bm = importlib.util.module_from_spec(_spec)
sys.modules["bm_{name}"] = bm
_spec.loader.exec_module(bm)
{setup}


def iteration():
    {call}


class Planted:
    pass


class SlowPlanted:
    pass


KEPT = []
LOG = ""
calls = 0


def leaky_iteration():
    global LOG, calls
    calls += 1
    iteration()
    KEPT.append(Planted())
    if calls % 5 == 0:
        KEPT.append(SlowPlanted())
    LOG += "ok;ok;ok"
'''


def benchmarks_folder():
    try:
        import pyperformance
    except ImportError:
        raise SystemExit("pyperformance is not installed: pip install -r bench/requirements.txt")
    folder = Path(pyperformance.__file__).parent / "data-files" / "benchmarks"
    if not folder.is_dir():
        raise SystemExit(f"no benchmarks in {folder}")
    return folder


def hunt(pyrometer, target, function, repeat, work):
    out = work / f"{target.stem}-{function}.json"
    env = dict(os.environ, VIRTUAL_ENV=sys.prefix)
    command = [pyrometer, "leaks", "--call", f"{target}:{function}", "--repeat", str(repeat), "--samples", "0", "-o", str(out)]
    started = time.monotonic()
    proc = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        print(f"failed: {' '.join(command)}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}", file=sys.stderr)
        return None, time.monotonic() - started
    return json.loads(out.read_text()), time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pyrometer", required=True)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", help="comma-separated benchmarks (default: all of them)")
    args = parser.parse_args()
    folder = benchmarks_folder()
    names = args.only.split(",") if args.only else list(TARGETS)
    version = "%d.%d.%d" % sys.version_info[:3]
    print(f"Python {version}, pyperformance benchmarks from {folder}")
    print(f"pyrometer leaks --call ... --repeat {args.repeat} (default criteria: 95% confidence, 3 objects / 128 bytes)")
    print(f"{'benchmark':26} {'objects':>8} {'clean: reports':>15} {'planted found':>14} {'other types':>12} {'seconds':>8}")
    false_reports = missed = 0
    failed = []
    with tempfile.TemporaryDirectory(prefix="pyrometer-leaks-clean-") as scratch:
        work = Path(scratch)
        for name in names:
            source = folder / f"bm_{name}" / "run_benchmark.py"
            setup, call = TARGETS[name]
            target = work / f"leak_target_{name}.py"
            target.write_text(WRAPPER.format(name=name, folder=str(source.parent), source=str(source),
                                             setup=setup, call=call))
            clean, clean_seconds = hunt(args.pyrometer, target, "iteration", args.repeat, work)
            leaky, leaky_seconds = hunt(args.pyrometer, target, "leaky_iteration", args.repeat, work)
            if clean is None or leaky is None:
                failed.append(name)
                print(f"{name:26} failed (above)")
                continue
            reported = [leak["type"] for leak in clean["leaks"]]
            # The planted classes are named after the wrapper module.
            found_types = [leak["type"].replace(f"leak_target_{name}.", "leak_target.") for leak in leaky["leaks"]]
            found = [planted for planted in PLANTED if planted in found_types]
            others = [kind for kind in found_types if kind not in PLANTED]
            if name not in GROWS:
                false_reports += len(reported)
            missed += len(PLANTED) - len(found)
            problem = clean.get("problem") or leaky.get("problem")
            print(f"{name:26} {clean['totalCounts'][-1]:8d} {len(reported):15d} {len(found):>10d}/{len(PLANTED)}"
                  f" {len(others):12d} {clean_seconds + leaky_seconds:8.1f}"
                  + (f"  reported: {', '.join(reported)}" if reported else "")
                  + (f" (true: {GROWS[name]})" if reported and name in GROWS else "")
                  + (f"  missed: {', '.join(p for p in PLANTED if p not in found)}" if len(found) < len(PLANTED) else "")
                  + (f"  also: {', '.join(others)}" if others else "")
                  + (f"  problem: {problem}" if problem else ""))
            sys.stdout.flush()
    verdict = "met" if false_reports == 0 and missed == 0 and not failed else "NOT met"
    clean_programs = len([name for name in names if name not in GROWS and name not in failed])
    print(f"BAR {version} false reports: {false_reports} in {clean_programs} clean programs; "
          f"planted leaks missed: {missed} of {len(PLANTED) * (len(names) - len(failed))}"
          + (f"; failed to run: {', '.join(failed)}" if failed else "") + f" -> {verdict}")


if __name__ == "__main__":
    main()
