"""pyrometer.LineProfiler against line_profiler.LineProfiler on the same code:
code written for line_profiler runs with only the import changed, and gives the
same hits on every line (Tests/Fixtures/lp_api.py)."""
import json
import textwrap

from conftest import FIXTURES, last_json, run, run_python

SCRIPT = FIXTURES / "lp_api.py"


def test_same_hits_as_line_profiler_through_its_api():
    """Every profiler (two at once, over overlapping spans) counts what
    line_profiler's counts, line for line, for functions, a generator, a coroutine,
    a class's methods, a property and a staticmethod; the stats unit is 1e-9 s."""
    ours = last_json(run_python(SCRIPT, args=["pyrometer"]))
    theirs = last_json(run_python(SCRIPT, args=["line_profiler"]))
    assert ours["first"] == theirs["first"]
    assert ours["second"] == theirs["second"]
    assert ours["units"] == [1e-9, 1e-9]
    # Known answers, so that agreeing on nothing cannot pass.
    assert ours["second"] == {"helper:55": 2, "helper:56": 11, "helper:57": 9, "helper:58": 2}
    assert ours["first"]["helper:57"] == 7 + 4


def test_print_stats_and_dump_stats(tmp_path):
    """print_stats writes line_profiler's table to the stream with the unit asked
    for; dump_stats writes pyrometer's JSON, which `pyrometer view` shows."""
    out = tmp_path / "stats.json"
    script = tmp_path / "work.py"
    script.write_text(textwrap.dedent(f"""\
        import io
        from pyrometer import LineProfiler
        def work(n):
            total = 0
            for i in range(n):
                total += i
            return total
        profiler = LineProfiler(work)
        profiler.runcall(work, 10)
        stream = io.StringIO()
        profiler.print_stats(stream=stream, output_unit=1e-3)
        print(stream.getvalue())
        profiler.dump_stats({str(out)!r})
        """))
    proc = run_python(script)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Timer unit: 0.001 s\n")
    assert "Function: work at line 3" in proc.stdout
    rows = [line.split() for line in proc.stdout.splitlines() if line.strip().startswith(("5 ", "6 "))]
    assert [row[:2] for row in rows] == [["5", "11"], ["6", "10"]]
    saved = json.loads(out.read_text())
    assert saved["format"] == "pyrometer.lines"
    viewed = run(["view", out])
    assert viewed.returncode == 0, viewed.stderr
    assert "Function: work at line 3" in viewed.stdout


def test_explicit_profile_is_free_when_off_and_prints_when_on(tmp_path):
    """`from pyrometer import profile`: without LINE_PROFILE the function comes back
    unchanged and nothing is printed; with LINE_PROFILE=1 its table (exact hits)
    is printed at exit, as line_profiler's explicit profile does."""
    script = tmp_path / "explicit.py"
    script.write_text(
        "from pyrometer import profile\n"
        "def plain(n):\n"
        "    return n\n"
        "marked = profile(plain)\n"
        "@profile\n"
        "def work(n):\n"
        "    total = 0\n"
        "    for i in range(n):\n"
        "        total += i\n"
        "    return total\n"
        "print(work(20), marked is plain)\n")
    off = run_python(script)
    assert off.returncode == 0, off.stderr
    assert off.stdout == "190 True\n"
    on = run_python(script, env={"LINE_PROFILE": "1"})
    assert on.returncode == 0, on.stderr
    assert on.stdout.startswith("190 False\nTimer unit: 1e-06 s\n")
    rows = {line.split()[0]: line.split()[1] for line in on.stdout.splitlines()
            if line.strip()[:1].isdigit() and len(line.split()) > 2}
    assert rows["8"] == "21" and rows["9"] == "20"
