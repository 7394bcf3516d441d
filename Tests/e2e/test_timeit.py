"""`pyrometer timeit` and `pyrometer.timeit()`."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, pyrometer_bin, run

SEED_SETUP = ["-s", "x = {'a': 1, 'b': 2}; y = {'b': 3, 'c': 4}",
              "-s", "def merge_two_dicts(x, y):", "-s", "    z = x.copy()", "-s", "    z.update(y)", "-s", "    return z"]


def one_error_line(proc):
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("pyrometer: error: ")
    return lines[0]


def timeit_json(*args):
    proc = run(["timeit", "--json", *args])
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_sleep_of_one_millisecond():
    result = timeit_json("-s", "import time", "-n", "20", "-r", "3", "time.sleep(0.001)")
    (timing,) = result["statements"]
    assert timing["loops"] == 20 and len(timing["times"]) == 3
    assert 1.0e-3 <= timing["statistics"]["best"] <= 1.5e-3


def test_clearly_different_statements_rank_and_differ_significantly():
    result = timeit_json("-n", "200", "-r", "7", "sum(range(20000))", "sum(range(10))")
    slow, fast = sorted(result["statements"], key=lambda s: s["position"])
    assert [s["position"] for s in result["statements"]] == [2, 1]  # fastest first
    assert fast["relative"] == 1 and "pValue" not in fast
    assert slow["relative"] > 10
    assert slow["significant"] is True and slow["pValue"] < 0.05


def test_single_statement_prints_timeits_line():
    proc = run(["timeit", "-n", "1", "-r", "1", "pass"])
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.splitlines()
    assert re.fullmatch(r"1 loop, best of 1: [0-9.e+]+ (nsec|usec|msec|sec) per loop", first)
    assert second.startswith("median ")


def test_calibration_makes_each_repeat_last_two_tenths():
    result = timeit_json("-r", "2", "--warmup", "0", "x = 1")
    (timing,) = result["statements"]
    loops = timing["loops"]
    assert re.fullmatch(r"(1|2|5)0*", str(loops)) and loops >= 100000


def test_json_fields():
    result = timeit_json("-n", "5", "-r", "2", "-p", "--gc", "--warmup", "3", "-s", "a = 1", "a + 1", "a * 2")
    assert result["format"] == "pyrometer.timeit" and result["version"] == 1
    assert result["timer"] == "process_time" and result["gcEnabled"] is True and result["warmup"] == 3
    assert result["setup"] == "a = 1"
    assert re.fullmatch(r"3\.1[123]\.\d+", result["python"])
    fastest, other = result["statements"]
    required = {"statement", "position", "loops", "times", "statistics", "relative", "warnings"}
    assert required <= set(fastest) and "pValue" not in fastest  # nothing to test the fastest against
    assert set(other) == required | {"pValue", "significant"}
    for timing in result["statements"]:
        assert set(timing["statistics"]) == {"best", "worst", "median", "mean", "standardDeviation"}


def test_seed_comparison_in_one_command(tmp_path):
    out = tmp_path / "merge.json"
    proc = run(["timeit", "-n", "20000", "-r", "5", *SEED_SETUP, "-o", out,
                "{**x, **y}", "merge_two_dicts(x, y)", "{k: v for d in (x, y) for k, v in d.items()}"])
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("setup: x = {'a': 1, 'b': 2}; y = {'b': 3, 'c': 4} ⏎ def merge_two_dicts")
    header = next(line for line in lines if line.startswith("#"))
    for column in ("statement", "loops x repeats", "best", "median", "mean ± std dev", "vs fastest"):
        assert column in header
    rows = lines[lines.index(header) + 1:]
    assert len(rows) == 3 and rows[0].endswith("fastest")
    assert all(re.search(r"\d+\.\d\dx slower", row) for row in rows[1:])
    viewed = run(["view", out])
    assert viewed.returncode == 0 and viewed.stdout == proc.stdout


def test_unit_option():
    proc = run(["timeit", "-n", "10", "-r", "2", "-u", "msec", "pass"])
    assert proc.returncode == 0
    assert " msec per loop" in proc.stdout.splitlines()[0]
    bad = run(["timeit", "-u", "hours", "pass"])
    assert bad.returncode == 2
    assert "nsec, usec, msec, sec" in one_error_line(bad)


@pytest.mark.parametrize("args, needle", [
    (["-n", "0", "pass"], "-n/--number"),
    (["-n", "-3", "pass"], "-n/--number"),
    (["-r", "0", "pass"], "-r/--repeat"),
    (["--warmup", "-1", "pass"], "--warmup"),
])
def test_bad_counts_refused(args, needle):
    proc = run(["timeit", *args])
    assert proc.returncode == 2
    assert needle in one_error_line(proc)


def test_syntax_error_names_the_statement():
    proc = run(["timeit", "-n", "1", "pass", "x = (1,\n"])
    assert proc.returncode == 2
    line = one_error_line(proc)
    assert "statement 2, line 1" in line


def test_syntax_error_names_the_setup():
    proc = run(["timeit", "-s", "import os", "-s", "def broken(:", "pass"])
    assert proc.returncode == 2
    assert "syntax error in setup, line 2" in one_error_line(proc)


def test_exception_while_timing_prints_traceback():
    proc = run(["timeit", "-n", "3", "-s", "d = {}", "d['missing']"])
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "KeyError: 'missing'" in proc.stderr
    assert "d['missing']" in proc.stderr  # the statement's own line is shown


def test_setup_can_import_from_the_working_directory(tmp_path):
    (tmp_path / "helpers_for_timeit.py").write_text("def double(x):\n    return 2 * x\n")
    proc = run(["timeit", "-n", "10", "-r", "1", "-s", "from helpers_for_timeit import double", "double(4)"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


# --- the Python API, in plain Python ---------------------------------------------------

def plain_python(code):
    native = Path(pyrometer_bin()).parent / "lib_pyrometer.so"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python"), PYROMETER_NATIVE=str(native))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_python_api():
    proc = plain_python(
        "import json, pyrometer\n"
        "r = pyrometer.timeit('sorted(data)', setup='data = list(range(100, 0, -1))', number=100, repeat=4)\n"
        "s = pyrometer.timeit(lambda: None, number=10, repeat=2)\n"
        "g = pyrometer.timeit('len(items)', globals={'items': [1, 2, 3]}, number=7, repeat=1)\n"
        "print(json.dumps([r.loops, r.repeat, len(r.times), r.best <= r.median <= r.worst, r.mean > 0,\n"
        "                  s.loops, s.repeat, g.loops, g.repeat, str(r).startswith('100 loops, best of 4: ')]))\n")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [100, 4, 4, True, True, 10, 2, 7, 1, True]


def test_python_api_errors_are_pythons():
    proc = plain_python(
        "import pyrometer\n"
        "for stmt, kwargs in [('1/0', {}), ('x = (', {}), ('pass', {'number': 0})]:\n"
        "    try:\n"
        "        pyrometer.timeit(stmt, number=kwargs.get('number', 5), repeat=1)\n"
        "    except Exception as e:\n"
        "        print(type(e).__name__)\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["ZeroDivisionError", "SyntaxError", "ValueError"]


def test_python_api_inside_a_program_run_by_pyrometer(tmp_path):
    script = tmp_path / "uses_timeit.py"
    script.write_text("import pyrometer\nprint(pyrometer.timeit('1 + 1', number=50, repeat=2).loops)\n")
    proc = run(["lines", script])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "50"
