"""Shared by the benchmark scripts: running a program that times itself."""
import argparse
import re
import subprocess


def seconds(command, cwd):
    """Runs `command`; returns the BENCH_SECONDS the program printed on stderr."""
    proc = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, command))}\n{proc.stderr[-2000:]}")
    return float(re.search(r"BENCH_SECONDS ([0-9.]+)", proc.stderr).group(1))


def arguments(default_repeat=5):
    """--pyrometer BINARY and --repeat N."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--pyrometer", required=True)
    parser.add_argument("--repeat", type=int, default=default_repeat)
    return parser.parse_args()


def compare(workloads, repeat, cwd, once=()):
    """Runs every {workload: {tool: command}} `repeat` times, interleaved (tools in
    `once` only the first time); prints each tool's best time and its ratio to
    the tool named "alone", and one RATIO line per workload."""
    import sys
    version = "%d.%d.%d" % sys.version_info[:3]
    name_width = max(map(len, workloads)) + 2
    tool_width = max(len(tool) for commands in workloads.values() for tool in commands) + 2
    print(f"{'workload':{name_width}} {'tool':{tool_width}} {'seconds':>9} {'overhead':>9}")
    for name, commands in workloads.items():
        best = {tool: float("inf") for tool in commands}
        for round_number in range(repeat):
            for tool, command in commands.items():
                if tool in once and round_number > 0:
                    continue
                best[tool] = min(best[tool], seconds(command, cwd))
        for tool, value in best.items():
            print(f"{name:{name_width}} {tool:{tool_width}} {value:9.4f} {value / best['alone']:8.2f}x")
        ratios = " ".join(f"{tool.split()[0]}={value / best['alone']:.2f}" for tool, value in best.items() if tool != "alone")
        print(f"RATIO {version} {name.split()[0]} {ratios}")
