"""The pytest plugin (pyrometer_pytest): --pyrometer's list of the tests that
allocated most, the limit_memory, no_leaks and limit_leaks markers, bad marker
arguments, and pytest-xdist workers. Each case runs pytest in a subprocess
(pytester) on a test file written here, with the plugin loaded by -p as the
wheel's pytest11 entry point loads it."""
import re
from pathlib import Path

import pytest

from conftest import ROOT, pyrometer_bin

pytest_plugins = ["pytester"]

MIB = 1024 * 1024


@pytest.fixture
def suite(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "python"))
    monkeypatch.setenv("PYROMETER_NATIVE", str(Path(pyrometer_bin()).parent / "lib_pyrometer.so"))
    # Plugins are named, not found: the entry point of a wheel being built beside
    # (python/pyrometer.egg-info) would load the plugin a second time.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")

    def run(source, *args):
        pytester.makepyfile(test_subject=source)
        return pytester.runpytest_subprocess("-p", "pyrometer_pytest", "-p", "no:cacheprovider", *args, timeout=300)
    return run


ALLOCATING = """
    import pytest

    def test_big():
        block = bytearray(8 * 1024 * 1024)
        assert len(block) == 8 * 1024 * 1024

    def test_small():
        block = bytearray(1024 * 1024)
        assert block[0] == 0

    def test_nothing():
        assert 1 + 1 == 2
"""


def summary_rows(output):
    """(peak in bytes, test id) of each row of --pyrometer's list."""
    text = output.str()
    assert "pyrometer: tests that allocated most" in text, text
    block = text.split("pyrometer: tests that allocated most", 1)[1]
    rows = []
    units = {"B": 1, "KiB": 1024, "MiB": MIB, "GiB": 1024 * MIB}
    for line in block.splitlines():
        match = re.match(r"^\s*([0-9.]+) (B|KiB|MiB|GiB)\s+([0-9,]+)\s+(\S+)", line)
        if match:
            rows.append((float(match.group(1)) * units[match.group(2)], match.group(4)))
    return rows


def test_the_list_ranks_tests_by_their_peak(suite):
    result = suite(ALLOCATING, "--pyrometer")
    result.assert_outcomes(passed=3)
    rows = summary_rows(result.stdout)
    assert [test for _, test in rows] == ["test_subject.py::test_big", "test_subject.py::test_small",
                                          "test_subject.py::test_nothing"]
    big, small = rows[0][0], rows[1][0]
    assert 8 * MIB <= big < 8.2 * MIB
    assert 1 * MIB <= small < 1.2 * MIB
    # The line holding most at the peak is the bytearray's.
    assert "(test_subject.py:4 (test_big))" in result.stdout.str()


def test_the_list_can_be_cut_and_is_absent_without_the_flag(suite):
    result = suite(ALLOCATING, "--pyrometer", "--pyrometer-top", "1")
    assert [test for _, test in summary_rows(result.stdout)] == ["test_subject.py::test_big"]
    result = suite(ALLOCATING)
    result.assert_outcomes(passed=3)
    assert "pyrometer: tests that allocated most" not in result.stdout.str()


LIMITED = """
    import pytest

    def build(size):
        return bytearray(size)

    @pytest.mark.limit_memory("4 MB")
    def test_over():
        block = build(8 * 1024 * 1024)
        assert block

    @pytest.mark.limit_memory("16 MB")
    def test_under():
        block = build(8 * 1024 * 1024)
        assert block

    @pytest.mark.limit_memory("4 MB")
    def test_freed_each_time():
        for _ in range(20):
            block = build(1024 * 1024)
            del block
"""


def test_limit_memory_fails_a_test_over_its_limit_with_the_lines_and_stack(suite):
    result = suite(LIMITED)
    result.assert_outcomes(passed=2, failed=1)
    text = result.stdout.str()
    assert re.search(r"test_over - Failed: Test was limited to 4\.0 MiB but allocated 8\.0 MiB at its peak", text) \
        or "Test was limited to 4.0 MiB but allocated 8.0 MiB at its peak" in text, text
    assert "Lines holding most at the peak:" in text
    assert re.search(r"8\.0 MiB\s+test_subject\.py:4 \(build\)", text), text
    stack = text.split("Stack of the allocation that made the peak (most recent call first):", 1)[1]
    assert stack.split("\n")[1:3] == ["  test_subject.py:4 (build)", "  test_subject.py:8 (test_over)"]
    assert "_pytest" not in stack.split("short test summary")[0]
    # The other two passed: one under its limit, one whose blocks never added up.
    assert "test_under" not in text.split("short test summary")[-1]


LEAKY = """
    import pytest

    class Entry:
        def __init__(self, n):
            self.n = n

    _registry = []

    @pytest.mark.no_leaks(repeat=6)
    def test_leaks_an_entry_per_run():
        _registry.append(Entry(len(_registry)))

    @pytest.mark.no_leaks(repeat=6)
    def test_clean():
        entries = [Entry(n) for n in range(100)]
        assert len(entries) == 100

    @pytest.mark.limit_leaks("1 KB", repeat=5)
    def test_leaves_bytes():
        _registry.append(bytes(10 * 1024))

    @pytest.mark.limit_leaks("1 KB", repeat=5)
    def test_leaves_nothing():
        data = bytes(10 * 1024)
        assert len(data) == 10 * 1024
"""


def test_no_leaks_and_limit_leaks(suite):
    result = suite(LEAKY)
    result.assert_outcomes(passed=2, failed=2)
    text = result.stdout.str()
    failed = re.findall(r"^FAILED test_subject\.py::(\w+)", text, re.M)
    assert sorted(failed) == ["test_leaks_an_entry_per_run", "test_leaves_bytes"]
    # The leak report names the type, the root holding it and the allocating line.
    assert "keep growing over 6 runs" in text
    assert "test_subject.Entry" in text
    assert "_registry" in text
    assert re.search(r"allocated at: \S*test_subject\.py:11 in test_leaks_an_entry_per_run", text), text
    # 10 KiB left per run, over 5 runs.
    assert re.search(r"left 10\.\d KiB allocated per run", text), text
    assert re.search(r"50\.\d KiB\s+test_subject\.py:20 \(test_leaves_bytes\)", text), text


@pytest.mark.parametrize("marker, message", [
    ('limit_memory("lots")', "not a memory size: 'lots'"),
    ("limit_memory()", "limit_memory needs a limit"),
    ("no_leaks(repeat=2)", "repeat must be an integer of at least 3"),
    ('limit_leaks("1 KB", times=3)', "limit_leaks has no argument times"),
])
def test_a_bad_marker_is_a_usage_error(suite, marker, message):
    result = suite(f"""
        import pytest

        @pytest.mark.{marker}
        def test_one():
            pass
    """)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_xdist_workers_report_to_the_controller(suite):
    pytest.importorskip("xdist")
    result = suite(ALLOCATING + LIMITED.replace("import pytest", ""), "-p", "xdist.plugin", "-n", "2", "--pyrometer")
    result.assert_outcomes(passed=5, failed=1)
    rows = summary_rows(result.stdout)
    assert rows[0][1] in ("test_subject.py::test_big", "test_subject.py::test_over", "test_subject.py::test_under")
    assert len(rows) == 5  # the default top 5 of six tests
    assert "Test was limited to 4.0 MiB but allocated 8.0 MiB at its peak" in result.stdout.str()


def test_find_leaks_from_python():
    """pyrometer.find_leaks, which no_leaks runs: a planted leak found with its
    type, root and allocating line; a clean function clean; what the function
    raises is raised to the caller."""
    from conftest import last_json, run_python
    proc = run_python("""
        import json, pyrometer

        class Thing:
            pass

        kept = []

        def leaky():
            kept.append(Thing())  # leaky-line

        def clean():
            return [Thing() for _ in range(50)]

        def failing():
            raise ValueError("bad input 7")

        found = pyrometer.find_leaks(leaky, repeat=5)
        quiet = pyrometer.find_leaks(clean, repeat=5)
        try:
            pyrometer.find_leaks(failing, repeat=3)
            raised = None
        except ValueError as error:
            raised = str(error)
        leak = found.leaks[0]
        print(json.dumps({"types": found.leaked_types(), "counts": leak["counts"], "path": leak["sample"]["path"],
                          "line": leak["sample"]["allocatedAt"]["line"], "clean": quiet.clean,
                          "raised": raised, "text": "__main__.Thing" in str(found)}))
    """)
    answer = last_json(proc)
    assert answer["types"] == ["__main__.Thing"]
    assert answer["counts"] == [1, 2, 3, 4, 5, 6]  # after the warm-up call, then after each of 5
    assert answer["path"] == "__main__.kept[5]"
    assert answer["line"] == 10
    assert answer["clean"] is True
    assert answer["raised"] == "bad input 7"
    assert answer["text"] is True
