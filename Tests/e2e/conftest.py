"""Shared helpers for the end-to-end tests: they run the built `pyrometer` binary
(PYROMETER_BIN) on the fixture programs and read what it printed and saved."""
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A suite started in the background (`cmd &` in a script) inherits SIGINT
# ignored, and so would every program it runs; the tests of Ctrl-C need it as an
# interactive Python has it (programs started from here get the default action).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
FIXTURES = ROOT / "Tests" / "Fixtures"


def pyrometer_bin():
    path = os.environ.get("PYROMETER_BIN")
    if not path:
        pytest.exit("PYROMETER_BIN is not set: run the tests with scripts/test", returncode=2)
    return path


def run(args, cwd=None, env=None, timeout=120, input=None):
    """Runs pyrometer with `args`; returns the CompletedProcess (text mode)."""
    full_env = dict(os.environ)
    full_env.pop("VIRTUAL_ENV", None)  # the tests' own virtualenv must not leak in
    if env:
        full_env.update(env)
    return subprocess.run([pyrometer_bin(), *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout, input=input)


def profile_of(args, tmp_path, cwd=None, env=None, expect_status=0):
    """Runs `pyrometer lines -o tmp.json ARGS` and returns (json, process)."""
    out = tmp_path / "profile.json"
    proc = run(["lines", "-o", out, *args], cwd=cwd, env=env)
    assert proc.returncode == expect_status, proc.stderr
    return json.loads(out.read_text()), proc


def ended_by_signal(signal_number, args, script, out):
    """Runs `pyrometer ARGS[0] -o OUT ARGS[1:] SCRIPT`, sends the signal once the
    program has printed "ready"; returns (status, stdout, stderr)."""
    proc = subprocess.Popen([pyrometer_bin(), *map(str, args[:1]), "-o", str(out), *map(str, args[1:]), str(script)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "ready\n"
        proc.send_signal(signal_number)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, stdout, stderr


def one_error_line(proc):
    """The one `pyrometer: error:` line a refused run printed (no traceback)."""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("pyrometer: error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def hits(profile, name):
    """{line: hits} of the function called `name` (qualified name)."""
    matches = [f for f in profile["functions"] if f["name"] == name]
    assert len(matches) == 1, f"{name!r} in {[f['name'] for f in profile['functions']]}"
    return {entry["line"]: entry["hits"] for entry in matches[0]["lines"]}


def line_of(path, marker):
    """The line number of the line ending with the comment `# <marker>`."""
    for number, text in enumerate(Path(path).read_text().splitlines(), start=1):
        if re.search(r"#\s*" + re.escape(marker) + r"\s*$", text):
            return number
    raise AssertionError(f"marker {marker!r} not in {path}")


def leak_report(tmp_path, args, cwd, status=0):
    """Runs `pyrometer leaks -o tmp.json ARGS` in `cwd`; returns (json, process)."""
    out = tmp_path / "leaks.json"
    proc = run(["leaks", "-o", out, *args], cwd=cwd, timeout=300)
    assert proc.returncode == status, proc.stdout + proc.stderr
    return json.loads(out.read_text()), proc


def python_version():
    """The major.minor of the Python pyrometer was built against (PYROMETER_PYTHON)."""
    return os.environ.get("PYROMETER_PYTHON_VERSION", "%d.%d" % sys.version_info[:2])


def run_python(code_or_script, args=(), cwd=None, env=None, timeout=120, path=()):
    """Runs `code_or_script` in plain Python: the test virtualenv's interpreter
    (pytest's sys.executable) with python/ (the pyrometer package) and the folders of
    `path` on PYTHONPATH, and $PYROMETER_NATIVE naming the lib_pyrometer.so built next
    to PYROMETER_BIN. A Path is run as a script; a string is run with -c (dedented).
    Returns the CompletedProcess (text mode)."""
    import textwrap
    native = Path(pyrometer_bin()).parent / "lib_pyrometer.so"
    full_env = dict(os.environ)
    full_env.update(PYTHONPATH=os.pathsep.join([str(ROOT / "python"), *map(str, path)]),
                    PYROMETER_NATIVE=str(native))
    if env:
        full_env.update(env)
    if isinstance(code_or_script, Path):
        command = [sys.executable, str(code_or_script)]
    else:
        command = [sys.executable, "-c", textwrap.dedent(code_or_script)]
    return subprocess.run([*command, *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def last_json(proc):
    """The JSON a program printed on its last line of stdout."""
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return json.loads(proc.stdout.splitlines()[-1])
