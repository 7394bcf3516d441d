"""Programs that fork or start other processes.

Rules: a child made by os.fork() that exits normally prints no report and writes
no result file, and never overwrites the parent's -o file. With --follow-fork (on
lines, memory and leaks) each such child writes its own report: with -o DIR/NAME.json
it writes DIR/NAME.<pid>.json and DIR/NAME.<pid>.txt; without -o,
pyrometer-<tool>.<pid>.txt in the folder pyrometer was started in. A child counts
only what it did after the fork. Known answers: Tests/Fixtures/fork_counts.py,
fork_orphan.py, child_processes.py, fork_memory.py.
"""
import json
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import FIXTURES, hits, line_of, pyrometer_bin

MIB = 2**20
COUNTS = FIXTURES / "fork_counts.py"
ORPHAN = FIXTURES / "fork_orphan.py"


def run_group(args, cwd, timeout=120):
    """Runs pyrometer in its own process group, so that a forked child that hangs
    is killed with it on timeout (the test then fails instead of hanging)."""
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    process = subprocess.Popen([pyrometer_bin(), *map(str, args)], cwd=cwd, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"pyrometer {' '.join(map(str, args))} did not end within {timeout} s\n{stderr}")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def child_pid(proc):
    (pid,) = re.findall(r"^child-pid (\d+)$", proc.stderr, re.MULTILINE)
    return int(pid)


def wait_gone(pid, timeout=15):
    """Waits until process `pid` has ended (no longer exists, or is a zombie)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                    return
        except FileNotFoundError:
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} still runs after {timeout} s")


def f_hits(calls, script=COUNTS):
    """Hits of the script's f after `calls` calls of f(10)."""
    return {line_of(script, "f-total"): calls, line_of(script, "f-for"): 11 * calls,
            line_of(script, "f-body"): 10 * calls, line_of(script, "f-return"): calls}


def text_hits(report, script, marker):
    """The Hits column of the text report's row for the line marked `marker`."""
    (row,) = [line for line in report.splitlines() if line.endswith(f"# {marker}")]
    assert row.split()[0] == str(line_of(script, marker))
    return int(row.split()[1])


@pytest.mark.parametrize("ending", ["exit", "end"])
def test_child_without_follow_fork_prints_and_writes_nothing(ending, tmp_path):
    """The child calls f(10) 3 times and exits (sys.exit(0) or falling off the end);
    the parent calls it 5 times and waits. Without --follow-fork: stdout holds one
    report, the parent's (for line 55 hits), out.json holds the parent's 5 calls,
    and the output folder holds nothing else."""
    out = tmp_path / "out"
    out.mkdir()
    proc = run_group(["lines", "-f", "f", "-o", out / "out.json", COUNTS, ending], cwd=out)
    assert proc.returncode == 0, proc.stderr
    assert "child-status 0" in proc.stderr
    assert proc.stdout.count("Timer unit") == 1, proc.stdout
    assert text_hits(proc.stdout, COUNTS, "f-for") == 55
    assert hits(json.loads((out / "out.json").read_text()), "f") == f_hits(5)
    assert sorted(os.listdir(out)) == ["out.json"]


@pytest.mark.parametrize("tool", ["lines", "memory", "leaks"])
def test_child_without_follow_fork_and_without_output_file(tool, tmp_path):
    """Without -o and without --follow-fork the forking program leaves no file in
    the folder pyrometer was started in, and ends (the child does not hang)."""
    selection = [] if tool == "leaks" else ["-f", "f"]
    interval = ["--interval", "0.1"] if tool == "leaks" else []
    proc = run_group([tool, *selection, *interval, COUNTS, "exit"], cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "child-status 0" in proc.stderr
    assert os.listdir(tmp_path) == []
    if tool == "lines":
        assert proc.stdout.count("Timer unit") == 1
    if tool == "memory":
        assert proc.stdout.count("Line #    Mem usage") == 1


@pytest.mark.parametrize("ending", ["exit", "end"])
def test_follow_fork_writes_the_childs_own_report(ending, tmp_path):
    """With --follow-fork, the child writes out.<pid>.json with only its own 3
    calls (for line 33 hits: not the parent's call made before the fork) and
    out.<pid>.txt with its text report; out.json and stdout stay the parent's."""
    out = tmp_path / "out"
    out.mkdir()
    proc = run_group(["lines", "--follow-fork", "-f", "f", "-o", out / "out.json", COUNTS, ending], cwd=out)
    assert proc.returncode == 0, proc.stderr
    pid = child_pid(proc)
    assert sorted(os.listdir(out)) == sorted(["out.json", f"out.{pid}.json", f"out.{pid}.txt"])
    child = json.loads((out / f"out.{pid}.json").read_text())
    assert child["format"] == "pyrometer.lines"
    assert hits(child, "f") == f_hits(3)
    report = (out / f"out.{pid}.txt").read_text()
    assert report.count("Timer unit") == 1
    assert text_hits(report, COUNTS, "f-for") == 33
    assert hits(json.loads((out / "out.json").read_text()), "f") == f_hits(5)
    assert proc.stdout.count("Timer unit") == 1
    assert text_hits(proc.stdout, COUNTS, "f-for") == 55


@pytest.mark.parametrize("tool", ["lines", "memory", "leaks"])
def test_follow_fork_without_output_file_names_the_report_by_tool_and_pid(tool, tmp_path):
    """With --follow-fork and no -o, the child writes pyrometer-<tool>.<pid>.txt
    (and nothing else) in the folder pyrometer was started in; for lines it holds
    the child's 3 calls (for line 33 hits)."""
    selection = [] if tool == "leaks" else ["-f", "f"]
    interval = ["--interval", "0.1"] if tool == "leaks" else []
    proc = run_group([tool, "--follow-fork", *selection, *interval, COUNTS, "exit"], cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    pid = child_pid(proc)
    assert os.listdir(tmp_path) == [f"pyrometer-{tool}.{pid}.txt"]
    report = (tmp_path / f"pyrometer-{tool}.{pid}.txt").read_text()
    assert report.strip()
    if tool == "lines":
        assert text_hits(report, COUNTS, "f-for") == 33
    if tool == "memory":
        assert report.count("Line #    Mem usage") == 1


@pytest.mark.parametrize("follow", [False, True])
def test_child_outliving_the_parent_leaves_the_parents_file(follow, tmp_path):
    """The parent calls f(10) twice, forks, calls it 3 more times and ends without
    waiting; the child sleeps 1 s and exits. Once the child is gone, out.json still
    holds the parent's 5 calls (for line 55 hits). With --follow-fork the child's
    out.<pid>.json shows f never ran in the child (empty lines)."""
    out = tmp_path / "out"
    out.mkdir()
    flags = ["--follow-fork"] if follow else []
    proc = run_group(["lines", *flags, "-f", "f", "-o", out / "out.json", ORPHAN], cwd=out)
    assert proc.returncode == 0, proc.stderr
    pid = child_pid(proc)
    wait_gone(pid)
    time.sleep(0.2)
    assert hits(json.loads((out / "out.json").read_text()), "f") == f_hits(5, ORPHAN)
    if follow:
        assert hits(json.loads((out / f"out.{pid}.json").read_text()), "f") == {}
    else:
        assert sorted(os.listdir(out)) == ["out.json"]


@pytest.mark.parametrize("tool", ["lines", "memory"])
def test_multiprocessing_and_subprocess_run_unchanged(tool, tmp_path):
    """multiprocessing Pools ("fork" and "spawn") and subprocess.run of python -c
    "print(6*7)", made from the timed main: the program prints fork 285, spawn 285
    and 42, exits with 0, and stdout holds exactly one report."""
    script = FIXTURES / "child_processes.py"
    proc = run_group([tool, "-f", "main", script], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[:3] == ["fork 285", "spawn 285", "42"]
    marker = "Timer unit" if tool == "lines" else "Line #    Mem usage"
    assert proc.stdout.count(marker) == 1, proc.stdout


def test_forked_child_memory_report_is_its_own(tmp_path):
    """The parent touches 200 MiB and forks; the child, keeping all of it, runs
    child_work, which allocates 20 MiB. With --follow-fork the child's report
    exists and gives that line an increment of 20 MiB (within 1%); the parent's
    report shows child_work never ran in the parent."""
    script = FIXTURES / "fork_memory.py"
    out = tmp_path / "out"
    out.mkdir()
    proc = run_group(["memory", "--follow-fork", "-f", "child_work", "-o", out / "out.json", script], cwd=out)
    assert proc.returncode == 0, proc.stderr
    pid = child_pid(proc)
    child = json.loads((out / f"out.{pid}.json").read_text())
    assert child["format"] == "pyrometer.memory"
    (function,) = [f for f in child["functions"] if f["name"] == "child_work"]
    line = {entry["line"]: entry for entry in function["lines"]}[line_of(script, "child-alloc")]
    assert line["increment"] == pytest.approx(20 * MIB, rel=0.01)
    parent = json.loads((out / "out.json").read_text())
    assert [f["lines"] for f in parent["functions"] if f["name"] == "child_work"] == [[]]
