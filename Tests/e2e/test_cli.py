"""How `pyrometer lines` runs programs, selects functions, and fails."""
import json
import os
import re
import signal
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, hits, line_of, one_error_line, profile_of, run


# --- running the program as python would -----------------------------------

def test_program_sees_python_environment(tmp_path):
    script = FIXTURES / "environment.py"
    proc = run(["lines", script, "alpha", "--beta"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout.splitlines()[0])
    assert info["argv"] == [str(script), "alpha", "--beta"]
    assert info["path0"] == str(FIXTURES)
    assert info["name"] == "__main__"
    assert os.path.basename(info["executable"]).startswith("python")
    assert info["squares"] == [0, 1, 4, 9, 16]  # spawn-based multiprocessing works


def test_module_mode_and_arguments(tmp_path):
    profile, proc = profile_of(["-f", "shapes.geometry:area", "-m", "shapes", "4"], tmp_path, cwd=FIXTURES)
    geometry = FIXTURES / "shapes" / "geometry.py"
    assert hits(profile, "area") == {line_of(geometry, "area-body"): 4}


def test_command_mode(tmp_path):
    code = "def f(x):\n    return x + 1\n\nfor i in range(9):\n    f(i)\n"
    profile, _ = profile_of(["-f", "f", "-c", code], tmp_path)
    assert hits(profile, "f") == {2: 9}
    function = profile["functions"][0]
    assert function["file"] == "<string>"
    assert function["source"][1].strip() == "return x + 1"


def test_command_mode_argv(tmp_path):
    proc = run(["lines", "-c", "import sys; print(sys.argv)", "a", "b"])
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[0] == "['-c', 'a', 'b']"


def test_from_pyrometer_import_profile(tmp_path):
    script = FIXTURES / "import_profile.py"
    profile, proc = profile_of([script], tmp_path)
    assert proc.stdout.splitlines()[0] == "30"
    assert hits(profile, "double") == {line_of(script, "double-body"): 6}


# --- choosing what to time --------------------------------------------------

def test_function_option_by_qualified_name(tmp_path):
    profile, _ = profile_of(["-f", "shapes.geometry:Rect.perimeter", "-m", "shapes", "5"], tmp_path, cwd=FIXTURES)
    geometry = FIXTURES / "shapes" / "geometry.py"
    assert [f["name"] for f in profile["functions"]] == ["Rect.perimeter"]
    assert hits(profile, "Rect.perimeter") == {line_of(geometry, "perimeter-body"): 5}


def test_function_option_with_path(tmp_path):
    geometry = FIXTURES / "shapes" / "geometry.py"
    profile, _ = profile_of(["-f", f"{geometry}:area", "-m", "shapes", "2"], tmp_path, cwd=FIXTURES)
    assert hits(profile, "area") == {line_of(geometry, "area-body"): 2}


def test_bare_name_selects_the_programs_own_function(tmp_path):
    profile, _ = profile_of(["-f", "main", "-m", "shapes", "3"], tmp_path, cwd=FIXTURES)
    main = FIXTURES / "shapes" / "__main__.py"
    assert [f["name"] for f in profile["functions"]] == ["main"]
    assert hits(profile, "main")[line_of(main, "main-area")] == 3


def test_module_option_times_every_function(tmp_path):
    profile, _ = profile_of(["--module", "shapes.geometry", "-m", "shapes", "3"], tmp_path, cwd=FIXTURES)
    names = sorted(f["name"] for f in profile["functions"])
    assert names == ["Rect.__init__", "Rect.perimeter", "area", "never_called"]
    never = next(f for f in profile["functions"] if f["name"] == "never_called")
    assert never["lines"] == []


def test_function_never_called_is_listed_without_timings(tmp_path):
    profile, proc = profile_of(["-f", "shapes.geometry:never_called", "-m", "shapes"], tmp_path, cwd=FIXTURES)
    assert [f["name"] for f in profile["functions"]] == ["never_called"]
    assert profile["functions"][0]["lines"] == []
    assert "Function: never_called at line" in proc.stdout


def test_threads_are_counted(tmp_path):
    script = FIXTURES / "threads.py"
    profile, _ = profile_of([script], tmp_path)
    h = hits(profile, "work")
    assert h[line_of(script, "thread-body")] == 4 * 100 + 10
    assert h[line_of(script, "thread-for")] == 4 * 101 + 11
    assert hits(profile, "Worker.run") == {line_of(script, "run-body"): 1}


def test_numpy_program(tmp_path):
    pytest.importorskip("numpy")
    script = FIXTURES / "uses_numpy.py"
    env = {"VIRTUAL_ENV": os.environ["PYROMETER_TEST_VENV"]} if os.environ.get("PYROMETER_TEST_VENV") else None
    profile, proc = profile_of([script], tmp_path, env=env)
    assert proc.stdout.splitlines()[0] == "18243.725"
    assert hits(profile, "norm") == {line_of(script, "numpy-arange"): 1, line_of(script, "numpy-sum"): 1}


def test_active_virtualenv_is_used(tmp_path):
    venv = os.environ.get("PYROMETER_TEST_VENV")
    if not venv:
        pytest.skip("no test virtualenv")
    proc = run(["lines", "-c", "import sys, line_profiler; print(sys.prefix)"], env={"VIRTUAL_ENV": venv})
    assert proc.returncode == 0, proc.stderr
    assert os.path.realpath(proc.stdout.splitlines()[0]) == os.path.realpath(venv)


# --- output -------------------------------------------------------------------

def test_table_layout(tmp_path):
    proc = run(["lines", ROOT / "examples" / "primes.py"])
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("Timer unit: 1e-06 s\n\nTotal time: ")
    assert f"File: {ROOT / 'examples' / 'primes.py'}\n" in out
    assert "Function: primes at line 2\n" in out
    header = "Line #      Hits         Time  Per Hit   % Time  Line Contents"
    assert header + "\n" + "=" * len(header) + "\n" in out
    row = next(line for line in out.splitlines() if line.endswith("s[j]=0") and line.split()[0] == "18")
    number, hit_count, time, per_hit, percent = row.split()[:5]
    assert hit_count == "28"
    assert abs(float(time) / 28 - float(per_hit)) <= 0.1
    assert re.fullmatch(r"\d+\.\d", percent)
    untimed = next(line for line in out.splitlines() if line.split() and line.split()[0] == "5")
    assert re.fullmatch(r"\s+5\s{43}\s+return \[2\]", untimed)


def test_unit_option_scales_times(tmp_path):
    out = tmp_path / "p.json"
    first = run(["lines", "-o", out, ROOT / "examples" / "primes.py"])
    assert first.returncode == 0
    micro = run(["view", out])
    milli = run(["view", "-u", "1e-3", out])
    assert milli.stdout.startswith("Timer unit: 0.001 s")
    row_us = next(l for l in micro.stdout.splitlines() if l.split()[:1] == ["22"])
    row_ms = next(l for l in milli.stdout.splitlines() if l.split()[:1] == ["22"])
    assert float(row_ms.split()[2]) == pytest.approx(float(row_us.split()[2]) / 1000, abs=0.06)


def test_skip_zero(tmp_path):
    proc = run(["lines", "-z", "-f", "shapes.geometry:never_called", "-f", "shapes.geometry:area", "-m", "shapes"], cwd=FIXTURES)
    assert proc.returncode == 0, proc.stderr
    assert "Function: area at line" in proc.stdout
    assert "never_called" not in proc.stdout


def test_json_saved_and_viewed_again(tmp_path):
    out = tmp_path / "primes.json"
    proc = run(["lines", "-o", out, ROOT / "examples" / "primes.py"])
    assert proc.returncode == 0
    data = json.loads(out.read_text())
    assert data["format"] == "pyrometer.lines" and data["version"] == 1
    assert data["timerUnit"] == 1e-9
    assert set(data["functions"][0]) == {"name", "file", "firstLine", "lines", "source"}
    viewed = run(["view", out])
    assert viewed.returncode == 0
    assert viewed.stdout == proc.stdout


# --- nothing lost, no crash -----------------------------------------------------

def test_report_when_program_raises(tmp_path):
    script = FIXTURES / "exits.py"
    profile, proc = profile_of([script, "raise"], tmp_path, expect_status=1)
    assert "RuntimeError: planted failure" in proc.stderr
    assert "Traceback" in proc.stderr
    assert hits(profile, "step") == {line_of(script, "step-body"): 3}
    assert "Function: step at line" in proc.stdout


def test_report_when_program_calls_exit(tmp_path):
    script = FIXTURES / "exits.py"
    profile, proc = profile_of([script, "exit", "7"], tmp_path, expect_status=7)
    assert hits(profile, "step") == {line_of(script, "step-body"): 3}


def test_report_when_interrupted(tmp_path):
    script = FIXTURES / "exits.py"
    out = tmp_path / "p.json"
    proc = run(["lines", "-o", out, script, "interrupt"])
    assert proc.returncode in (-signal.SIGINT, 130), proc.returncode
    assert "KeyboardInterrupt" in proc.stderr
    assert "Function: step at line" in proc.stdout
    assert hits(json.loads(out.read_text()), "step") == {line_of(script, "step-body"): 3}


def test_missing_script():
    proc = run(["lines", "no_such_script.py"])
    assert proc.returncode == 2
    assert "no_such_script.py" in one_error_line(proc)


def test_syntax_error():
    proc = run(["lines", FIXTURES / "bad_syntax.py"])
    assert proc.returncode != 0
    line = one_error_line(proc)
    assert "bad_syntax.py, line 1" in line and "syntax" in line.lower()


def test_unmatched_function_option(tmp_path):
    proc = run(["lines", "-f", "no_such_function", ROOT / "examples" / "primes.py"])
    assert proc.returncode == 2
    assert "-f no_such_function matched no function" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unwritable_output_refused_before_running(tmp_path):
    proc = run(["lines", "-o", tmp_path / "missing" / "p.json", FIXTURES / "exits.py"])
    assert proc.returncode == 2
    assert "cannot write" in one_error_line(proc)
    assert "returned normally" not in proc.stdout


def test_bad_flag():
    proc = run(["lines", "--no-such-flag", "x.py"])
    assert proc.returncode == 2
    assert "no-such-flag" in one_error_line(proc)


def test_no_program():
    proc = run(["lines"])
    assert proc.returncode == 2
    one_error_line(proc)


@pytest.mark.parametrize("content", ["", "{not json", '{"format": "pyrometer.lines", "version": 1}', '{"format": "other", "version": 1}'])
def test_view_rejects_bad_files(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    proc = run(["view", path])
    assert proc.returncode == 2
    assert str(path) in one_error_line(proc)


def test_view_missing_file(tmp_path):
    proc = run(["view", tmp_path / "absent.json"])
    assert proc.returncode == 2
    one_error_line(proc)


def test_function_of_a_module_loaded_before_the_program(tmp_path):
    """posixpath is imported (and, since 3.11, frozen) before the program starts."""
    profile, _ = profile_of(["-f", "posixpath:join", "-c", "import os\nfor i in range(5):\n    os.path.join('a', 'b')\n"], tmp_path)
    (function,) = profile["functions"]
    assert function["name"] == "join"
    assert function["lines"][0]["hits"] == 5  # its first line runs once per call
