"""-i/--output-interval SECONDS rewrites the -o file while the program runs, so a
long-running program leaves its results behind; and a bad -o is refused before
the program starts (Tests/Fixtures/until_snapshot.py)."""
import json
import signal
import subprocess
import time

import pytest

from conftest import FIXTURES, line_of, pyrometer_bin, run

SNAPSHOT = FIXTURES / "until_snapshot.py"
FOREVER = FIXTURES / "until_signal.py"


def lines_of(result, name="work"):
    function = next(f for f in result["functions"] if f["name"] == name)
    return {entry["line"]: entry for entry in function["lines"]}


@pytest.mark.parametrize("tool,count", [("lines", "hits"), ("memory", "occurrences")])
def test_the_file_is_written_while_the_program_runs(tool, count, tmp_path):
    out = tmp_path / "out.json"
    proc = run([tool, "-f", "work", "-i", "0.2", "-o", out, SNAPSHOT, out], timeout=90)
    assert proc.returncode == 0, proc.stderr
    said = dict(line.split() for line in proc.stdout.splitlines() if line.startswith(("seen ", "calls ")))
    seen, calls = int(said["seen"]), int(said["calls"])
    # The program read a snapshot taken while it ran (it ends once it has), which
    # counted at most the calls made by then.
    assert 1 <= seen <= calls
    final = lines_of(json.loads(out.read_text()))
    assert final[line_of(SNAPSHOT, "work-total")][count] == calls
    assert final[line_of(SNAPSHOT, "work-for")][count] == 101 * calls
    assert not list(tmp_path.glob("*.partial-*"))


def test_a_killed_program_leaves_its_last_snapshot(tmp_path):
    """SIGKILL cannot be caught: what -i wrote last is what remains, whole."""
    out = tmp_path / "out.json"
    proc = subprocess.Popen([pyrometer_bin(), "lines", "-f", "work", "-i", "0.1", "-o", str(out), str(FOREVER)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "ready\n"
        snapshot = None
        for _ in range(600):
            try:
                snapshot = lines_of(json.loads(out.read_text()))
            except (FileNotFoundError, StopIteration):
                pass
            if snapshot and snapshot[line_of(FOREVER, "work-total")]["hits"] >= 2:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    kept = lines_of(json.loads(out.read_text()))
    calls = kept[line_of(FOREVER, "work-total")]["hits"]
    assert calls >= 2 and kept[line_of(FOREVER, "work-for")]["hits"] == 101 * calls


@pytest.mark.parametrize("args,message", [
    (["-i", "5"], "-i/--output-interval needs -o FILE.json"),
    (["-i", "0", "-o", "x.json"], "-i/--output-interval must be a positive number of seconds"),
    (["-i", "nan", "-o", "x.json"], "-i/--output-interval must be a positive number of seconds"),
    (["-i", "-1", "-o", "x.json"], "-i/--output-interval must be a positive number of seconds"),
])
def test_bad_intervals_are_one_line(args, message, tmp_path):
    for tool in ("lines", "memory"):
        proc = run([tool, *args, SNAPSHOT, tmp_path / "never.json"], cwd=tmp_path)
        assert proc.returncode != 0 and proc.stdout == ""
        assert len(proc.stderr.strip().splitlines()) == 1 and message in proc.stderr, proc.stderr


@pytest.mark.parametrize("target,reason", [
    ("/proc/pyrometer.json", "is a kernel interface"),
    ("/proc/self/status", "is a kernel interface"),
    ("/sys/pyrometer.json", "is a kernel interface"),
    ("missing/out.json", "no such directory"),
    (".", "it is a directory"),
])
def test_unwritable_outputs_are_refused_before_the_program_runs(target, reason, tmp_path):
    marker = tmp_path / "ran"
    script = tmp_path / "program.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n")
    for tool in ("lines", "memory", "leaks"):
        proc = run([tool, "-o", target, script], cwd=tmp_path)
        assert proc.returncode == 2, (tool, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1 and reason in proc.stderr, proc.stderr
        assert not marker.exists()
