"""`pyrometer compare OLD.json NEW.json`: two real results of each tool, made from
programs whose change is known (twice the loops, 50 MiB more held, a planted
leak, the time moved from one function to another), the rows that show it, and
the exit status of --fail-if conditions that must hold and must fail."""
import json

import pytest

from conftest import FIXTURES, line_of, one_error_line, run

PROGRAMS = FIXTURES / "compare"
WORK = PROGRAMS / "work.py"


def saved(tmp_path, name, args, env=None):
    out = tmp_path / name
    proc = run([args[0], "-o", out, *args[1:]], cwd=PROGRAMS, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def compare(old, new, *args, status=0):
    proc = run(["compare", old, new, *args])
    assert proc.returncode == status, proc.stdout + proc.stderr
    return proc


def compared(old, new, *args, status=0):
    """The comparison as --json gives it, by table scope and row name."""
    data = json.loads(compare(old, new, "--json", *args, status=status).stdout)
    tables = {table["scope"]: table for table in data["tables"]}
    return data, tables


def values(table, name):
    """{metric: {old, new, change, ...}} of one row."""
    row = next(row for row in table["rows"] if row["name"] == name)
    return {metric["name"]: value for metric, value in zip(table["metrics"], row["values"])}


@pytest.fixture(scope="module")
def lines_files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lines")
    args = ["lines", "-f", "work", "-f", "steady", WORK]
    return saved(tmp, "old.json", args + ["1000"]), saved(tmp, "new.json", args + ["2000"])


def test_lines_twice_the_loops_is_twice_the_hits(lines_files):
    old, new = lines_files
    data, tables = compared(old, new)
    assert data["format"] == "pyrometer.compare" and data["compared"] == "pyrometer.lines"
    loop, add = line_of(WORK, "compare-loop"), line_of(WORK, "compare-add")
    assert values(tables["line"], f"work.py:{loop}")["hits"] == {"old": 1001, "new": 2001, "change": 1000, "relative": pytest.approx(1000 / 1001)}
    assert values(tables["line"], f"work.py:{add}")["hits"]["change"] == 1000
    # work: its first line, the loop's 1001 and 1000 runs of the body, the return.
    assert values(tables["function"], "work")["hits"] == {"old": 2003, "new": 4003, "change": 2000, "relative": pytest.approx(2000 / 2003)}
    assert values(tables["function"], "steady")["hits"]["change"] == 0
    assert values(tables["total"], "all timed functions")["hits"]["change"] == 2000
    assert all(v["time"]["old"] > 0 and v["time"]["new"] > 0 for v in (values(tables["function"], "work"), values(tables["function"], "steady")))


def test_lines_table_and_conditions(lines_files):
    old, new = lines_files
    text = compare(old, new, "--fail-if", "line.hits>+1000", "--fail-if", "function.hits>+100%").stdout
    assert "Functions (by change of time)" in text
    rows = [line.split() for line in text.splitlines()]
    work = next(row for row in rows if row[-2:] == ["work", "work.py:7"])
    assert work[-6:-2] == ["2,003", "4,003", "+2,000", "(+99.9%)"]
    assert "  pass  line.hits>+1000" in text and "All 2 conditions held." in text

    failed = compare(old, new, "--fail-if", "hits>+100%", "--fail-if", "function.hits!=0", status=1).stdout
    assert "  FAIL  function.hits!=0  (1 of 2 rows checked)\n          work: +2,000 (+99.9%)\n" in failed
    assert "1 of 2 conditions failed." in failed
    compare(old, new, "--fail-if", "line.hits>=+1000", status=1)
    compare(old, new, "--fail-if", "function.hits>+99%", status=1)
    # A result compared with itself: nothing changed.
    compare(new, new, "--fail-if", "hits!=0", "--fail-if", "time>+0%", "--fail-if", "line.time!=0")


def test_top_limits_the_rows_and_json_goes_to_output(lines_files, tmp_path):
    old, new = lines_files
    text = compare(old, new, "--top", "1").stdout
    lines_table = text.split("Lines (by change of time)\n")[1]
    assert lines_table.count("work.py:") == 1 and "... 4 more (--top)" in lines_table
    out = tmp_path / "comparison.json"
    printed = compare(old, new, "-o", out, "--json").stdout
    assert json.loads(out.read_text()) == json.loads(printed)


def test_memory_fifty_mib_more_at_the_peak(tmp_path):
    args = ["memory", "-f", "keep", WORK, "10"]
    old = saved(tmp_path, "old.json", args + ["0"])
    new = saved(tmp_path, "new.json", args + ["50"])
    _, tables = compared(old, new)
    mib = 2**20
    peak = values(tables["total"], "program")["peak"]
    assert 49.5 * mib <= peak["change"] <= 50.5 * mib
    line = values(tables["line"], f"work.py:{line_of(WORK, 'compare-alloc')}")
    assert 50 * mib <= line["increment"]["change"] <= 50 * mib + 4096
    assert line["runs"]["change"] == 0
    held = values(tables["top"], f"work.py:{line_of(WORK, 'compare-alloc')}")["bytes"]
    assert 50 * mib - 1024 <= held["change"] <= 50 * mib + 4096
    assert tables["top"]["rows"][0]["name"] == f"work.py:{line_of(WORK, 'compare-alloc')}"
    compare(old, new, "--fail-if", "top.bytes>+40MiB", status=1)
    compare(old, new, "--fail-if", "peak>+49MiB", status=1)
    compare(old, new, "--fail-if", "peak>+51MiB", "--fail-if", "peak>+60MB", "--fail-if", "line.increment>+51MiB")
    compare(old, new, "--fail-if", "peak>+10MB", status=1)


def test_timeit_significance_from_the_repeats(tmp_path):
    old = saved(tmp_path, "old.json", ["timeit", "-n", "200", "-r", "5", "-s", "n = 10", "sum(range(n))"])
    new = saved(tmp_path, "new.json", ["timeit", "-n", "200", "-r", "5", "-s", "n = 10000", "sum(range(n))"])
    data, tables = compared(old, new)
    time = values(tables["statement"], "sum(range(n))")["time"]
    # Five repeats against five, none overlapping: the exact two-sided p-value.
    assert time["pValue"] == pytest.approx(2 / 252) and time["significant"] is True
    assert time["change"] > 0
    assert data["notes"] == ["the runs had different setup code"]
    text = compare(old, new, "--fail-if", "time>+5%", status=1).stdout
    assert "p=0.0079, significant" in text
    compare(old, old, "--fail-if", "time>+5%")


def test_leaks_new_growing_type(tmp_path):
    args = ["leaks", "--call", "service:handle", "--repeat", "5"]
    old = saved(tmp_path, "old.json", args)
    new = saved(tmp_path, "new.json", args, env={"COMPARE_LEAK": "1"})
    _, tables = compared(old, new)
    record = values(tables["type"], "service.Record")
    assert record["growth"] == {"old": 0, "new": 25, "change": 25}
    assert record["count"].get("old") is None and record["count"]["new"] >= 125
    assert values(tables["total"], "heap")["leaks"]["old"] == 0
    compare(old, new, "--fail-if", "type.growth>+20", status=1)
    compare(old, new, "--fail-if", "leaks>0", status=1)
    compare(old, old, "--fail-if", "leaks>0", "--fail-if", "type.growth>0")


def test_sample_time_moved_between_functions(tmp_path):
    old = saved(tmp_path, "old.json", ["sample", PROGRAMS / "spin.py", "a"])
    new = saved(tmp_path, "new.json", ["sample", PROGRAMS / "spin.py", "b"])
    _, tables = compared(old, new)
    a, b = values(tables["function"], "spin_a")["total"], values(tables["function"], "spin_b")["total"]
    assert a["old"] > 50 and a["new"] == 0 and a["significant"] is True
    assert b["old"] == 0 and b["new"] > 50 and b["significant"] is True
    compare(old, new, "--fail-if", "function.total>+20pt", status=1)
    compare(old, new, "--fail-if", "function.total>+100pt")


def test_bad_usage_is_one_line_and_status_two(lines_files, tmp_path):
    old, new = lines_files
    timeit = saved(tmp_path, "timeit.json", ["timeit", "-n", "10", "-r", "2", "pass"])
    cases = {
        ("compare", old, timeit): "holds pyrometer.lines results and",
        ("compare", old, tmp_path / "missing.json"): "cannot read",
        ("compare", old, new, "--fail-if", "time+5%"): "bad --fail-if condition 'time+5%': no comparison",
        ("compare", old, new, "--fail-if", "peak>+5MB"): "pyrometer.lines comparisons have no 'peak'",
        ("compare", old, new, "--fail-if", "time>+5MB"): "time is in seconds, the threshold in bytes",
        ("compare", old, new, "--fail-if", "time>5furlongs"): "unknown unit 'furlongs'",
        ("compare", old, new, "--top=-1"): "--top must be 0 or more",
    }
    (tmp_path / "plain.json").write_text('{"a": 1}')
    cases[("compare", old, tmp_path / "plain.json")] = "is not a pyrometer result file"
    for args, message in cases.items():
        proc = run(list(args))
        assert proc.returncode == 2, (args, proc.stderr)
        one_error_line(proc)
        assert message in proc.stderr, (args, proc.stderr)
        assert proc.stdout == ""
