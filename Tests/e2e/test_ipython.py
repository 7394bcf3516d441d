"""The IPython extension in a real InteractiveShell (Tests/Fixtures/ipython_session.py):
%load_ext pyrometer, each magic with its known answers, %unload_ext leaving no hook."""
import re

import pytest

from conftest import FIXTURES, last_json, run_python

MIB = 2**20


@pytest.fixture(scope="module")
def printed():
    return last_json(run_python(FIXTURES / "ipython_session.py", timeout=300))


def rows(text):
    """{line number: [columns]} of the table rows of a printed report."""
    table = {}
    for line in text.splitlines():
        match = re.match(r"^\s*(\d+)\s+(\S.*)$", line)
        if match:
            table[int(match.group(1))] = match.group(2).split()
    return table


def test_lprun_counts_hits(printed):
    """%lprun -f primes primes(1000): the while line 500 hits, its body 499, in µs."""
    text = printed["lprun"]
    assert text.startswith("Timer unit: 1e-06 s\n")
    assert "Function: primes at line 1" in text
    table = rows(text)
    assert table[6][0] == "500" and table[7][0] == "499" and table[2][0] == "1"


def test_lprun_cell_mode(printed):
    """%%lprun runs the cell: two calls, 1000 hits of the while line."""
    table = rows(printed["lprun_cell"])
    assert table[6][0] == "1000" and table[7][0] == "998"


def test_mprun_increments(printed):
    """%mprun -f big: +10 MiB, +5 MiB, -5 MiB on the three lines, source shown."""
    table = rows(printed["mprun"])
    assert table[11][2:4] == ["10.000", "MiB"]
    assert table[12][2:4] == ["5.000", "MiB"]
    assert table[13][2:4] == ["-5.000", "MiB"]
    assert "a = bytearray(10 * 2**20)" in printed["mprun"]
    assert "Peak reached in" not in printed["mprun"]


def test_memit_increment(printed):
    """%memit prints memory_profiler's line with the exact increment; %%memit runs
    the line as setup, unmeasured, then the cell."""
    assert re.fullmatch(r"peak memory: [0-9.]+ MiB, increment: 50\.00 MiB\n", printed["memit"])
    assert re.fullmatch(r"peak memory: [0-9.]+ MiB, increment: 20\.00 MiB\n", printed["memit_cell"])


def test_ptimeit_tables(printed):
    """%ptimeit times one statement with the loops and repeats asked; %%ptimeit
    compares each line of the cell."""
    assert printed["ptimeit"].startswith("100 loops, best of 3: ")
    table = printed["ptimeit_cell"]
    assert re.search(r"^1  sum\(range\(10\)\) +100 x 3 .* fastest$", table, re.MULTILINE)
    assert re.search(r"^2  sum\(range\(1000\)\) +100 x 3 .*x slower", table, re.MULTILINE)


def test_errors_are_one_line(printed):
    """An unknown -f name is one UsageError line, as IPython's own magics print it."""
    lines = [line for line in printed["error"].splitlines() if line.strip()]
    assert lines == ["UsageError: could not find 'no_such_function': NameError: name 'no_such_function' is not defined"]


def test_show_backrefs_draws_inline(printed):
    """In IPython, show_backrefs without a filename returns the picture (a PNG
    Image that Jupyter shows inline), as objgraph does there."""
    assert printed["show_backrefs"] == "Image 89504e470d0a1a0a"


def test_unload_leaves_nothing(printed):
    """%unload_ext pyrometer removes every magic; no trace function or
    sys.monitoring tool of pyrometer's is left."""
    after = printed["after_unload"]
    assert not any(after[name] for name in ("lprun", "mprun", "memit", "ptimeit"))
    assert after["trace"] == "None"
    if "monitoring" in after:
        assert "pyrometer" not in after["monitoring"]
