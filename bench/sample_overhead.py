"""Overhead of `pyrometer sample` next to the samplers people use, in one run.

Each program runs alone, under `pyrometer sample` at 1 kHz and at 10 kHz, under
py-spy (`py-spy record`) at 100 Hz and 1 kHz, pyinstrument, Scalene
(`--cpu-only`) and cProfile. The programs are a ray tracer and a job-shop event
simulation written here (bench/programs/) and pyperformance's benchmarks, run
one program run per process by bench/programs/pyperformance_program.py (their
sources come from the installed pyperformance package).

Every program times its own work inside the process and prints, on stderr, the
wall seconds (BENCH_SECONDS) and the process's CPU seconds (BENCH_CPU: every
thread of the process, so pyrometer's ticker and reading threads count, and so
do Scalene's and pyinstrument's; py-spy runs in a process of its own, so its CPU
is not in it). Start-up does not count in those two. The "command CPU" column is
the CPU of the whole command (the profiler's start-up and exit, and for py-spy
its own process too), from wait4. Configurations run --repeat rounds,
interleaved; the medians count. Ratios are to the program alone.

Samples: pyrometer's taken against expected (the rate times the CPU seconds of
the sampled threads, from its -o file); py-spy's reported samples against the
rate times the wall seconds of the run (py-spy samples on wall time).

Run it with the Python whose pyrometer build is measured (bench/run sample).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"
PYPERFORMANCE = ["raytrace", "richards", "go", "deltablue", "hexiom"]
DEFAULT = "scheduler,raytrace,richards"


def arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pyrometer", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--programs", default=DEFAULT,
                        help="comma-separated, or all: raytracer, scheduler, and pyperformance's " + ", ".join(PYPERFORMANCE))
    parser.add_argument("--tools", default="all", help="comma-separated tool names to run (alone always runs)")
    return parser.parse_args()


def environment():
    """This virtualenv active, so that the embedded interpreter of pyrometer
    finds pyperformance as `python` from it does."""
    env = dict(os.environ)
    if sys.prefix != sys.base_prefix:
        env["VIRTUAL_ENV"] = sys.prefix
        env["PATH"] = os.path.join(sys.prefix, "bin") + os.pathsep + env.get("PATH", "")
    return env


def measure(command, cwd, out):
    """Runs `command`; its in-process seconds, CPU seconds, the whole command's
    CPU and wall seconds, and its stderr."""
    with open(out / "stdout", "w") as stdout, open(out / "stderr", "w+") as stderr:
        started = time.perf_counter()
        proc = subprocess.Popen([str(part) for part in command], cwd=cwd, stdout=stdout, stderr=stderr,
                                env=environment())
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        text = stderr.read()
    output = (out / "stdout").read_text()
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, command))}\n{text[-2000:]}")
    seconds = re.search(r"BENCH_SECONDS ([0-9.]+)", text)
    cpu = re.search(r"BENCH_CPU ([0-9.]+)", text)
    if seconds is None or cpu is None:
        raise SystemExit(f"no BENCH_SECONDS/BENCH_CPU from: {' '.join(map(str, command))}\n{text[-2000:]}")
    return {"seconds": float(seconds.group(1)), "cpu": float(cpu.group(1)),
            "command_cpu": usage.ru_utime + usage.ru_stime, "command_wall": wall, "stderr": text, "stdout": output}


def pyrometer_samples(path, result):
    profile = json.loads(Path(path).read_text())
    result["taken"] = profile["samplesTaken"]
    result["expected"] = profile["samplesExpected"]
    result["rate"] = profile["rate"]


def pyspy_samples(rate):
    def read(path, result):
        found = re.search(r"Samples: (\d+)", result["stderr"] + result["stdout"])
        if found:
            result["taken"] = int(found.group(1))
            result["expected"] = round(rate * result["command_wall"])
    return read


def tools(args, python, out):
    """{name: (command prefix that runs a `python script args` list, reader of samples or None)}."""
    venv_bin = Path(python).parent
    pyspy = shutil.which("py-spy", path=str(venv_bin))
    sample_json = out / "sample.json"
    configs = {
        "alone": (lambda program: [python, *program], None),
        "pyrometer 1 kHz": (lambda program: [args.pyrometer, "sample", "--rate", "1000", "-o", sample_json, *program],
                            lambda result: pyrometer_samples(sample_json, result)),
        "pyrometer 10 kHz": (lambda program: [args.pyrometer, "sample", "--rate", "10000", "-o", sample_json, *program],
                             lambda result: pyrometer_samples(sample_json, result)),
    }
    if pyspy:
        for rate, label in ((100, "100 Hz"), (1000, "1 kHz")):
            configs[f"py-spy {label}"] = (
                lambda program, rate=rate: [pyspy, "record", "--rate", rate, "--format", "raw", "-o", out / "pyspy.txt",
                                            "--", python, *program],
                lambda result, rate=rate: pyspy_samples(rate)(None, result))
    configs["pyinstrument"] = (lambda program: [python, "-m", "pyinstrument", "-o", out / "pyinstrument.txt", *program], None)
    configs["scalene --cpu-only"] = (
        lambda program: [python, "-m", "scalene", "run", "--cpu-only", "-o", out / "scalene.json",
                         program[0], "---", *program[1:]], None)
    configs["cProfile"] = (lambda program: [python, "-m", "cProfile", "-o", out / "cprofile.out", *program], None)
    if args.tools != "all":
        wanted = {name.strip() for name in args.tools.split(",")}
        configs = {name: config for name, config in configs.items() if name == "alone" or name in wanted}
    return configs


def programs(selection):
    chosen = {
        "raytracer": [PROGRAMS / "raytracer.py", "--size", "100"],
        "scheduler": [PROGRAMS / "scheduler.py"],
    }
    for name in PYPERFORMANCE:
        chosen[name] = [PROGRAMS / "pyperformance_program.py", name]
    if selection != "all":
        wanted = [name.strip() for name in selection.split(",")]
        unknown = [name for name in wanted if name not in chosen]
        if unknown:
            raise SystemExit(f"unknown program(s): {', '.join(unknown)}")
        chosen = {name: chosen[name] for name in wanted}
    return chosen


def median(values):
    return statistics.median(values) if values else float("nan")


def main():
    args = arguments()
    python = sys.executable
    out = Path(tempfile.mkdtemp())
    configs = tools(args, python, out)
    chosen = programs(args.programs)
    version = "%d.%d.%d" % sys.version_info[:3]
    print(f"Python {version}, median of {args.repeat} interleaved rounds; wall and CPU seconds measured inside the "
          "process (CPU: all its threads), command CPU from wait4 (start-up and an out-of-process sampler included)")
    tool_width = max(map(len, configs)) + 2
    header = (f"{'program':11} {'tool':{tool_width}} {'wall s':>7} {'wall':>6} {'CPU s':>7} {'CPU':>6} "
              f"{'cmd CPU s':>9} {'cmd CPU':>7}  samples taken / expected")
    bar = []
    for name, program in chosen.items():
        print()
        print(header)
        results = {tool: [] for tool in configs}
        for _ in range(args.repeat):
            for tool, (command, read) in configs.items():
                result = measure(command(program), PROGRAMS, out)
                if read:
                    read(result)
                results[tool].append(result)
        base = {key: median([r[key] for r in results["alone"]]) for key in ("seconds", "cpu", "command_cpu")}
        ratios = {}
        for tool, runs in results.items():
            wall, cpu, command_cpu = (median([r[key] for r in runs]) for key in ("seconds", "cpu", "command_cpu"))
            samples = ""
            taken = [r["taken"] for r in runs if "taken" in r]
            if taken:
                expected = [r["expected"] for r in runs if "expected" in r]
                shares = [r["taken"] / r["expected"] for r in runs if r.get("expected")]
                samples = (f"{median(taken):9.0f} / {median(expected):7.0f} ({100 * median(shares):5.1f}%, "
                           f"lowest {100 * min(shares):5.1f}%)")
            print(f"{name:11} {tool:{tool_width}} {wall:7.3f} {wall / base['seconds']:5.2f}x {cpu:7.3f} "
                  f"{cpu / base['cpu']:5.2f}x {command_cpu:9.3f} {command_cpu / base['command_cpu']:6.2f}x  {samples}")
            ratios[tool] = (wall / base["seconds"], cpu / base["cpu"], median(shares) if taken else None)
        line = " ".join(f"{tool.replace(' ', '')}={cpu:.2f}" for tool, (_, cpu, _) in ratios.items() if tool != "alone")
        print(f"RATIO {version} {name} cpu {line}")
        if name in PYPERFORMANCE:
            bar.append((name, ratios))
    if bar:
        print()
        print("The bar on pyperformance's programs (process CPU time; samples taken / expected):")
        for tool, limit in (("pyrometer 1 kHz", 1.05), ("pyrometer 10 kHz", 1.25)):
            if tool not in configs:
                continue
            worst = max(ratios[tool][1] for _, ratios in bar)
            fewest = min(ratios[tool][2] for _, ratios in bar)
            verdict = "met" if worst <= limit and fewest >= 0.95 else "NOT met"
            print(f"BAR {version} {tool}: worst CPU ratio {worst:.3f}x (at most {limit}x), fewest samples "
                  f"{100 * fewest:.1f}% (at least 95%): {verdict}")


if __name__ == "__main__":
    main()
