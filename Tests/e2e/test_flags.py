"""The flags people know from kernprof and memory_profiler, and how pyrometer
reads a command line: -s/--setup, -q, -r/--rich, --lprof, --precision,
--include-children, -f __main__:Class.method, unknown options, options after
the program, -u and --plot checked before the program runs."""
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, hits, line_of, one_error_line, profile_of, pyrometer_bin, run

HERE = Path(__file__).resolve().parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def notes(proc):
    return [line for line in proc.stderr.splitlines() if line.startswith("pyrometer: note: ")]


def marker_program(tmp_path):
    """A program that leaves a file behind when it runs."""
    script = tmp_path / "leaves_marker.py"
    script.write_text("import pathlib\npathlib.Path(__file__).with_suffix('.ran').write_text('yes')\n")
    return script, tmp_path / "leaves_marker.ran"


# --- reading the command line ----------------------------------------------

@pytest.mark.parametrize("command", ["lines", "memory", "leaks"])
@pytest.mark.parametrize("option", ["--bogus", "--bogus=3", "-x"])
def test_unknown_option_before_the_program(tmp_path, command, option):
    script, ran = marker_program(tmp_path)
    proc = run([command, option, script])
    assert proc.returncode == 2
    assert "Unknown option '%s'" % option.split("=")[0] in one_error_line(proc)
    assert not ran.exists()


def test_unknown_option_of_timeit():
    proc = run(["timeit", "--bogus", "x = 1"])
    assert proc.returncode == 2
    assert "Unknown option '--bogus'" in one_error_line(proc)


def test_code_may_start_with_a_dash(tmp_path):
    proc = run(["lines", "-c", "-1 and print('ran')"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "ran"


def test_double_dash_ends_pyrometers_options(tmp_path):
    script = tmp_path / "-dash.py"
    script.write_text("import sys\ndef f():\n    return 1\nf()\nprint(sys.argv)\n")
    profile, proc = profile_of(["-f", "f", "--", script, "-z"], tmp_path)
    assert proc.stdout.splitlines()[0] == str([str(script), "-z"])
    assert hits(profile, "f") == {3: 1}


def test_options_after_the_program_go_to_it_with_a_note(tmp_path):
    (tmp_path / "mymod.py").write_text("def main():\n    return sum(range(5))\n")
    code = "import sys, mymod; print(sys.argv, mymod.main())"
    # The README's old form: -f arrives as the program's argument and nothing is timed.
    proc = run(["lines", "-c", code, "-f", "mymod:main"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "['-c', '-f', 'mymod:main'] 10"
    assert "pyrometer: note: '-f' after the program is passed to the program; put pyrometer's options before it" in notes(proc)
    assert "Function:" not in proc.stdout
    # The form that works: pyrometer's options first.
    profile, proc = profile_of(["-f", "mymod:main", "-c", code], tmp_path, cwd=tmp_path)
    assert hits(profile, "main") == {2: 1}
    assert notes(proc) == []


def test_several_options_after_the_program_in_one_note(tmp_path):
    script, _ = marker_program(tmp_path)
    proc = run(["memory", script, "--include-children", "-f", "x", "--precision=2", "--", "--top"])
    assert proc.returncode == 0, proc.stderr
    assert [n for n in notes(proc) if "after the program" in n] == [
        "pyrometer: note: '--include-children', '-f', '--precision' after the program are passed to the program; "
        "put pyrometer's options before it"]


def test_program_options_that_are_not_pyrometers_get_no_note(tmp_path):
    script, _ = marker_program(tmp_path)
    proc = run(["lines", script, "-o", "x", "--verbose", "-v"])
    assert proc.returncode == 0, proc.stderr
    assert not any("after the program" in n for n in notes(proc))


@pytest.mark.parametrize("value, shown", [("nan", "nan"), ("inf", "inf"), ("-inf", "-inf"), ("0", "0.0"),
                                          ("-1", "-1.0"), ("-1e-3", "-0.001"), ("1e-400", "0.0")])
def test_unit_must_be_positive_and_finite(tmp_path, value, shown):
    script, ran = marker_program(tmp_path)
    proc = run(["lines", "-u", value, script])
    assert proc.returncode == 2
    assert f"-u/--unit must be a positive number of seconds, such as 1e-3 (not {shown})" in one_error_line(proc)
    assert not ran.exists()


@pytest.mark.parametrize("value", ["abc", "", "1e-3s"])
def test_unit_must_be_a_number(tmp_path, value):
    script, ran = marker_program(tmp_path)
    proc = run(["lines", "-u", value, script])
    assert proc.returncode == 2
    assert f"The value '{value}' is invalid for '-u <seconds>'" in one_error_line(proc)
    assert not ran.exists()


def test_unit_accepts_a_positive_number(tmp_path):
    profile, proc = profile_of(["-u", "1e-3", "-f", "helper", FIXTURES / "main_methods.py"], tmp_path)
    assert proc.stdout.splitlines()[1] == "Timer unit: 0.001 s"


# --- -f __main__:Class.method ------------------------------------------------

@pytest.mark.parametrize("spec, name, marker, count", [
    ("__main__:Shape.area", "Shape.area", "area-body", 4),
    ("__main__:Outer.Inner.depth", "Outer.Inner.depth", "depth-body", 3),
    ("__main__:helper", "helper", "helper-body", 2),
])
def test_function_of_the_main_program(tmp_path, spec, name, marker, count):
    script = FIXTURES / "main_methods.py"
    profile, proc = profile_of(["-f", spec, script], tmp_path)
    assert proc.stdout.splitlines()[0] == "22"
    assert [f["name"] for f in profile["functions"]] == [name]
    assert hits(profile, name) == {line_of(script, marker): count}


def test_main_class_selects_its_methods_and_nested_classes(tmp_path):
    script = FIXTURES / "main_methods.py"
    profile, _ = profile_of(["-f", "__main__:Outer", "-f", "__main__:Shape", script], tmp_path)
    assert sorted(f["name"] for f in profile["functions"]) == ["Outer.Inner.depth", "Shape.__init__", "Shape.area"]


def test_main_method_in_command_and_module_mode(tmp_path):
    code = "class K:\n    def m(self):\n        return 3\n\nfor _ in range(5):\n    K().m()\n"
    profile, _ = profile_of(["-f", "__main__:K.m", "-c", code], tmp_path)
    assert hits(profile, "K.m") == {3: 5}
    (tmp_path / "runme.py").write_text(code)
    profile, _ = profile_of(["-f", "__main__:K.m", "-m", "runme"], tmp_path, cwd=tmp_path)
    assert hits(profile, "K.m") == {3: 5}


def test_memory_accepts_main_methods(tmp_path):
    out = tmp_path / "memory.json"
    proc = run(["memory", "-o", out, "-f", "__main__:Shape.area", FIXTURES / "main_methods.py"])
    assert proc.returncode == 0, proc.stderr
    profile = json.loads(out.read_text())
    function, = profile["functions"]
    assert function["name"] == "Shape.area"
    assert {e["line"]: e["occurrences"] for e in function["lines"]}[line_of(FIXTURES / "main_methods.py", "area-body")] == 4


# --- -s/--setup ---------------------------------------------------------------

@pytest.fixture
def setup_project(tmp_path):
    """work.py (a module with a function to time), setup.py (imports it, calls it
    5 times, defines a global) and prog.py (calls it 3 times, reports what it sees)."""
    (tmp_path / "work.py").write_text("def work(n):\n    return n * 2\n")
    (tmp_path / "setup.py").write_text(
        "import sys, work\n"
        "SETUP_ONLY = 1\n"
        "for i in range(5):\n"
        "    work.work(i)\n"
        "print('setup', __name__, __file__)\n")
    (tmp_path / "prog.py").write_text(
        "import sys, work\n"
        "for i in range(3):\n"
        "    work.work(i)\n"
        "print('prog', 'SETUP_ONLY' in globals(), 'work' in sys.modules)\n")
    return tmp_path


def test_setup_file_runs_first_in_its_own_namespace_unmeasured(setup_project):
    profile, proc = profile_of(["-s", "setup.py", "-f", "work:work", "prog.py"], setup_project, cwd=setup_project)
    assert proc.stdout.splitlines()[:2] == ["setup __main__ setup.py", "prog False True"]
    # The 5 calls made by the setup are not counted; the program's 3 are.
    assert hits(profile, "work") == {2: 3}


def test_setup_code_given_as_a_string(setup_project):
    profile, proc = profile_of(["--setup", "import work; X = [work.work(1) for _ in range(4)]", "-f", "work:work",
                                "prog.py"], setup_project, cwd=setup_project)
    assert proc.stdout.splitlines()[0] == "prog False True"
    assert hits(profile, "work") == {2: 3}


def test_setup_marks_profile_decorated_functions_it_imports(tmp_path):
    (tmp_path / "decorated.py").write_text("@profile\ndef twice(n):\n    return 2 * n\n")
    (tmp_path / "prog.py").write_text("import decorated\nfor i in range(7):\n    decorated.twice(i)\n")
    profile, _ = profile_of(["-s", "import decorated", "prog.py"], tmp_path, cwd=tmp_path)
    assert hits(profile, "twice") == {3: 7}


def test_setup_that_raises_is_one_line_and_the_program_does_not_run(tmp_path):
    script, ran = marker_program(tmp_path)
    (tmp_path / "bad_setup.py").write_text("x = 1\nraise ValueError('no database')\n")
    proc = run(["lines", "-s", tmp_path / "bad_setup.py", script])
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert line == f"pyrometer: error: the setup code raised ValueError: no database ({tmp_path / 'bad_setup.py'}, line 2)"
    assert not ran.exists()


@pytest.mark.parametrize("setup, message", [
    ("missing_setup.py", "can't open the setup file 'missing_setup.py': No such file or directory"),
    ("1/0", "the setup code raised ZeroDivisionError: division by zero (<setup>, line 1)"),
    ("import no_such_module_here", "the setup code raised ModuleNotFoundError: No module named 'no_such_module_here' (<setup>, line 1)"),
    ("def (", "the setup code raised SyntaxError"),
])
def test_bad_setup(tmp_path, setup, message):
    script, ran = marker_program(tmp_path)
    proc = run(["lines", "-s", setup, script], cwd=tmp_path)
    assert proc.returncode in (1, 2)
    assert message in one_error_line(proc)
    assert not ran.exists()


# --- -q/--quiet ---------------------------------------------------------------

def test_quiet_leaves_out_notes_but_prints_the_table(tmp_path):
    script, _ = marker_program(tmp_path)
    loud = run(["lines", script, "-f"])
    assert len(notes(loud)) == 2   # nothing timed; -f after the program
    quiet = run(["lines", "-q", script, "-f"])
    assert quiet.returncode == 0
    assert quiet.stderr == ""
    assert quiet.stdout == "Timer unit: 1e-06 s\n\n"


def test_quiet_twice_prints_no_table_but_writes_the_files(tmp_path):
    script = FIXTURES / "main_methods.py"
    out, lprof = tmp_path / "out.json", tmp_path / "out.lprof"
    proc = run(["lines", "-qq", "-o", out, "--lprof", lprof, "-f", "helper", script])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "22\n"   # the program's own output only
    assert hits(json.loads(out.read_text()), "helper") == {line_of(script, "helper-body"): 2}
    assert lprof.stat().st_size > 0


def test_quiet_keeps_errors(tmp_path):
    script, _ = marker_program(tmp_path)
    proc = run(["lines", "-qqq", "-f", "nothing_like_this", script])
    assert proc.returncode == 2
    assert one_error_line(proc) == "pyrometer: error: -f nothing_like_this matched no function"


# --- -r/--rich ----------------------------------------------------------------

def run_in_terminal(args, env=None, cwd=None):
    """Runs pyrometer with its stdout on a pseudo-terminal; returns (status,
    stdout text with \\r\\n made \\n, stderr text)."""
    main, secondary = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "NO_COLOR")}
    full_env["TERM"] = "xterm-256color"
    full_env.update(env or {})
    for key in [k for k, v in full_env.items() if v is None]:
        del full_env[key]
    process = subprocess.Popen([pyrometer_bin(), *map(str, args)], stdout=secondary, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, env=full_env, cwd=cwd)
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:   # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        output += chunk
    os.close(main)
    stderr = process.stderr.read().decode()
    process.stderr.close()
    return process.wait(timeout=120), output.decode().replace("\r\n", "\n"), stderr


def table_rows(text):
    """(line number, hits, contents) of each row of a lines table."""
    rows = []
    header = next(line for line in text.splitlines() if line.startswith("Line #"))
    contents_at = header.index("Line Contents")
    for line in text.splitlines():
        match = re.match(r"\s*(\d+)\s", line)
        if match and len(line) >= 6 and line[:6].strip().isdigit():
            rows.append((int(match.group(1)), line[7:16].strip(), line[contents_at:]))
    return rows


COLOURFUL = '''\
@profile
def words(n):
    """Counts
    words."""
    found = []  # collected
    for i in range(n):
        found.append(len("a b'c".split()) + 0x10 + 2.5e-3)
    return found if found else None


words(1000)
'''


def test_rich_colours_the_table_on_a_terminal(tmp_path):
    script = tmp_path / "colourful.py"
    script.write_text(COLOURFUL)
    status, coloured, stderr = run_in_terminal(["lines", "-r", script])
    assert status == 0, stderr
    assert "\x1b[35mdef\x1b[0m \x1b[1;34mwords\x1b[0m(n):" in coloured   # a keyword, the name defined
    assert "\x1b[32m\"\"\"Counts\x1b[0m" in coloured                    # a docstring over two lines
    assert "\x1b[32m    words.\"\"\"\x1b[0m" in coloured
    assert "\x1b[32m\"a b'c\"\x1b[0m" in coloured                      # a string
    assert "\x1b[90m# collected\x1b[0m" in coloured                    # a comment
    assert "\x1b[33m0x10\x1b[0m" in coloured and "\x1b[33m2.5e-3\x1b[0m" in coloured
    assert "\x1b[36mlen\x1b[0m" in coloured and "\x1b[36mNone\x1b[0m" in coloured
    assert re.search(r"\x1b\[1;36m1001\x1b\[0m", coloured)               # a figure: the loop's hits
    # Without the colours it is the plain table: the same rows, hits and source.
    plain = run(["lines", script])
    assert plain.returncode == 0
    assert "\x1b" not in plain.stdout
    rows = table_rows(ANSI.sub("", coloured))
    assert rows == table_rows(plain.stdout)
    assert (6, "1001", "    for i in range(n):") in rows


@pytest.mark.parametrize("args, env", [
    (["lines", "-r"], {"NO_COLOR": "1"}),
    (["lines", "-r"], {"TERM": "dumb"}),
    (["lines"], {}),
])
def test_no_colours_when_the_terminal_does_not_want_them(tmp_path, args, env):
    status, output, stderr = run_in_terminal([*args, FIXTURES / "known_counts.py"], env=env)
    assert status == 0, stderr
    assert "Line #" in output
    assert "\x1b" not in output


def test_rich_is_plain_text_into_a_pipe(tmp_path):
    proc = run(["lines", "-r", FIXTURES / "known_counts.py"])
    assert proc.returncode == 0
    assert "Line #" in proc.stdout
    assert "\x1b" not in proc.stdout


# --- --lprof ------------------------------------------------------------------

def lprof_hits(path):
    dump = subprocess.run([sys.executable, str(HERE / "lprof_hits.py"), str(path)],
                          capture_output=True, text=True)
    assert dump.returncode == 0, dump.stderr
    return {key: {int(line): count for line, count in lines.items()} for key, lines in json.loads(dump.stdout).items()}


def test_lprof_file_is_read_by_line_profiler(tmp_path):
    pytest.importorskip("line_profiler")
    script = FIXTURES / "known_counts.py"
    lprof = tmp_path / "known.lprof"
    profile, _ = profile_of(["--lprof", lprof, script], tmp_path)
    ours = {f"{f['name']}@{f['firstLine']}": {e["line"]: e["hits"] for e in f["lines"] if e["hits"]}
            for f in profile["functions"]}
    assert lprof_hits(lprof) == {key: lines for key, lines in ours.items() if lines}
    assert ours["fixed_loops@6"][line_of(script, "for-body")] == 1000

    # line_profiler's own reader shows the same table: hits line for line.
    shown = subprocess.run([sys.executable, "-m", "line_profiler", str(lprof)], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert f"File: {script}" in shown.stdout
    assert "Function: fixed_loops at line 6" in shown.stdout
    section = shown.stdout.split("Function: fixed_loops at line 6")[1].split("Total time:")[0]
    seen = {number: int(count) for number, count, _ in table_rows(section) if count}
    assert seen == ours["fixed_loops@6"]


def test_lprof_keeps_the_units_and_functions_never_called(tmp_path):
    pytest.importorskip("line_profiler")
    import line_profiler
    lprof = tmp_path / "out.lprof"
    profile, _ = profile_of(["--lprof", lprof, "-f", "__main__:Shape", FIXTURES / "main_methods.py"], tmp_path)
    stats = line_profiler.load_stats(str(lprof))
    assert stats.unit == profile["timerUnit"] == 1e-9
    by_name = {name: timings for (_, _, name), timings in stats.timings.items()}
    assert set(by_name) == {"Shape.__init__", "Shape.area"}
    json_times = {f["name"]: [(e["line"], e["hits"], e["time"]) for e in f["lines"]] for f in profile["functions"]}
    assert {name: list(map(tuple, t)) for name, t in by_name.items()} == json_times


def test_lprof_refused_up_front_when_unwritable(tmp_path):
    script, ran = marker_program(tmp_path)
    proc = run(["lines", "--lprof", tmp_path / "no" / "such" / "x.lprof", script])
    assert proc.returncode == 2
    assert "cannot write" in one_error_line(proc)
    assert not ran.exists()


# --- memory: --precision, --include-children, --plot -------------------------

def mem_usage_rows(text):
    """{line: (Mem usage, Increment)} in MiB from a memory table."""
    rows = {}
    for line in text.splitlines():
        match = re.match(r"\s*(\d+)\s+(-?[\d.]+) MiB\s+(-?[\d.]+) MiB\s+\d+", line)
        if match:
            rows[int(match.group(1))] = (match.group(2), match.group(3))
    return rows


@pytest.mark.parametrize("precision", [0, 1, 5])
def test_precision_sets_the_digits(tmp_path, precision):
    proc = run(["memory", "--precision", precision, "-f", "helper", FIXTURES / "main_methods.py"])
    assert proc.returncode == 0, proc.stderr
    rows = mem_usage_rows(proc.stdout)
    assert rows, proc.stdout
    for usage, increment in rows.values():
        for value in (usage, increment):
            assert len(value.split(".")[1]) == precision if precision else "." not in value


def test_precision_keeps_the_columns_aligned(tmp_path):
    proc = run(["memory", "--precision", 9, "--peak", "-f", "helper", FIXTURES / "main_methods.py"])
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Line #"))
    header, rule = lines[at], lines[at + 1]
    assert set(rule) == {"="} and len(rule) == len(header)
    measured = [line for line in lines[at + 2:] if re.match(r"\s*\d+\s+-?\d", line)]
    assert measured
    # Each amount column ends where its header does: "Mem usage", "Increment", "Peak".
    for title in ("Mem usage", "Increment", "Peak"):
        end = header.index(title) + len(title)
        for row in measured:
            assert row[end - 1].isdigit() or row[end - 3:end] == "MiB", (title, header, row)
            assert row[end] == " ", (title, header, row)


@pytest.mark.parametrize("value", ["-1", "13", "x", "1.5"])
def test_bad_precision(tmp_path, value):
    script, ran = marker_program(tmp_path)
    proc = run(["memory", "--precision", value, script])
    assert proc.returncode == 2
    assert "--precision" in one_error_line(proc)
    assert not ran.exists()


def test_include_children_adds_the_childs_memory(tmp_path):
    script = FIXTURES / "child_memory.py"

    def usage(args):
        proc = run(["memory", *args, script], timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.splitlines()[0] == "0"
        rows = mem_usage_rows(proc.stdout)
        return proc, {marker: float(rows[line_of(script, marker)][0]) for marker in ("started", "ready", "gone")}

    proc, with_children = usage(["--include-children"])
    # The child holds 100 MiB (and its interpreter) after `ready`, and is gone after `gone`.
    assert with_children["ready"] - with_children["started"] > 90
    assert with_children["ready"] - with_children["gone"] > 90
    assert "Note: Mem usage includes the resident memory of child processes" in proc.stdout
    # The peak RSS is never below a reading shown: here it counts the child.
    peak = float(re.search(r"peak RSS \(with children\): ([0-9.]+) MiB", proc.stdout).group(1))
    assert peak >= with_children["ready"]

    proc, alone = usage([])
    assert "peak RSS: " in proc.stdout
    assert abs(alone["ready"] - alone["started"]) < 20
    assert "child processes" not in proc.stdout


@pytest.mark.parametrize("name", ["chart.png", "chart.pdf", "chart", "chart.svg.txt"])
def test_plot_refuses_what_it_cannot_write(tmp_path, name):
    script, ran = marker_program(tmp_path)
    proc = run(["memory", "--plot", tmp_path / name, script])
    assert proc.returncode == 2
    line = one_error_line(proc)
    assert "--plot writes SVG: give a file ending in .svg" in line
    assert not ran.exists()


def test_plot_accepts_svg_in_any_case(tmp_path):
    script, _ = marker_program(tmp_path)
    proc = run(["memory", "--plot", tmp_path / "chart.SVG", script])
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "chart.SVG").read_text().startswith("<svg")
