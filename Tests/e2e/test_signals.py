"""SIGTERM and SIGHUP end a measured program as Ctrl-C does: the report is printed
and the -o file written, and pyrometer exits with 128 + the signal's number
(Tests/Fixtures/until_signal.py)."""
import json
import signal
import subprocess
import time

import pytest

from conftest import FIXTURES, ended_by_signal, line_of, pyrometer_bin

SCRIPT = FIXTURES / "until_signal.py"


def ended_by(signal_number, args, tmp_path):
    """Runs pyrometer ARGS on the fixture, sends the signal once it is ready."""
    out = tmp_path / "out.json"
    status, stdout, stderr = ended_by_signal(signal_number, args, SCRIPT, out)
    return status, stdout, stderr, json.loads(out.read_text())


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP])
def test_lines_report_survives_the_signal(signal_number, tmp_path):
    status, stdout, stderr, profile = ended_by(signal_number, ["lines", "-f", "work"], tmp_path)
    assert status == 128 + signal_number, stderr
    assert "Function: work at line" in stdout
    lines = {entry["line"]: entry["hits"] for entry in profile["functions"][0]["lines"]}
    calls = lines[line_of(SCRIPT, "work-total")]
    assert calls >= 1 and lines[line_of(SCRIPT, "work-for")] == 101 * calls


def test_memory_report_survives_sigterm(tmp_path):
    status, stdout, stderr, profile = ended_by(signal.SIGTERM, ["memory", "-f", "work"], tmp_path)
    assert status == 143, stderr
    assert "Peak traced memory:" in stdout
    assert profile["functions"][0]["name"] == "work"


def test_leaks_report_survives_sigterm(tmp_path):
    status, stdout, stderr, report = ended_by(signal.SIGTERM, ["leaks", "--interval", "0.05"], tmp_path)
    assert status == 143, stderr
    assert stdout.startswith("pyrometer leaks:")
    assert report["mode"] == "interval" and "census" in report["problem"]


def test_a_terminated_worker_dies_as_without_pyrometer(tmp_path):
    """A forked multiprocessing worker ended with terminate() (SIGTERM) has
    exitcode -15, as under plain Python: silent children get the program's own
    handlers back."""
    script = tmp_path / "terminate.py"
    script.write_text(
        "import multiprocessing, time\n"
        "def sleeper():\n"
        "    time.sleep(30)\n"
        "if __name__ == '__main__':\n"
        "    worker = multiprocessing.get_context('fork').Process(target=sleeper)\n"
        "    worker.start(); time.sleep(0.3); worker.terminate(); worker.join()\n"
        "    print('exitcode', worker.exitcode)\n")
    proc = subprocess.run([pyrometer_bin(), "lines", str(script)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "exitcode -15"


@pytest.mark.parametrize("signal_number,status,cause", [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "Ctrl-C")])
def test_timeit_reports_the_repeats_done(signal_number, status, cause, tmp_path):
    """A signal during timing ends it with the whole rounds done: both statements
    keep the same number of repeats, the report and -o say it was interrupted."""
    out, marker = tmp_path / "t.json", tmp_path / "runs"
    setup = f"import time; f = open({str(marker)!r}, 'a', buffering=1)"
    statements = ["time.sleep(0.001); f.write('a\\n')", "time.sleep(0.001); f.write('b\\n')"]
    proc = subprocess.Popen([pyrometer_bin(), "timeit", "-n", "20", "-r", "1000", "--warmup", "0", "-s", setup,
                             "-o", str(out), *statements], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        # Two whole rounds: 20 loops of each statement, twice.
        while time.monotonic() < deadline and (not marker.exists() or len(marker.read_text().splitlines()) < 80):
            time.sleep(0.02)
        proc.send_signal(signal_number)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == status, stderr
    result = json.loads(out.read_text())
    repeats = {len(statement["times"]) for statement in result["statements"]}
    assert len(repeats) == 1 and 2 <= repeats.pop() < 1000
    assert result["notes"][0].startswith(f"interrupted by {cause} after ")
    assert f"Note: interrupted by {cause} after " in stdout
