"""Source lines of short-lived code under `pyrometer memory`: tracking allocation
sites (--top, -o) must not keep the code objects of exec()'d snippets alive.
Known answer in Tests/Fixtures/exec_snippets.py: 30,000 snippets, each thrown away,
so the traced peak is that of a few snippets (under 1 MiB on 3.11) whether or not
sites are tracked."""
import json
import re

import pytest

from conftest import FIXTURES, line_of, run

MIB = 2**20
SCRIPT = FIXTURES / "exec_snippets.py"
UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}


def printed_peak(stdout):
    """The bytes of the report's `Peak traced memory: X UNIT` line."""
    ((value, unit),) = re.findall(r"^Peak traced memory: ([0-9.]+) (B|KiB|MiB|GiB)", stdout, re.MULTILINE)
    return float(value) * UNITS[unit]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exec")
    results = {}
    for name, args in {"top": ["--top", "10", "-o", tmp / "a.json"], "output": ["-o", tmp / "b.json"], "plain": []}.items():
        proc = run(["memory", *args, SCRIPT], timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.splitlines()[0] == '{"snippets": 30000}'
        results[name] = proc
    return json.loads((tmp / "a.json").read_text()), json.loads((tmp / "b.json").read_text()), results


def test_tracking_sites_does_not_raise_the_peak(runs):
    """peakTraced of `memory --top 10 -o a.json` and of `memory -o b.json` differ by
    less than 2%, and both are within 2% of the peak printed by `memory` with
    neither option (no sites tracked at all)."""
    top, output, procs = runs
    assert top["peakTraced"] == pytest.approx(output["peakTraced"], rel=0.02)
    plain = printed_peak(procs["plain"].stdout)
    # The report prints MiB with three decimals: half a unit of the last one.
    assert printed_peak(procs["top"].stdout) == pytest.approx(top["peakTraced"], abs=MIB * 0.0005 + 1)
    assert top["peakTraced"] == pytest.approx(plain, rel=0.02)
    assert output["peakTraced"] == pytest.approx(plain, rel=0.02)


def test_snippets_are_not_held_at_the_end(runs):
    """With --top 10, topAtEnd does not list 30,000 snippets' worth of bytes: the
    exec line holds under 1 MiB at the end, and all listed lines together under
    2 MiB (the snippets' code objects, if kept, are about 13 MiB)."""
    top, _, _ = runs
    exec_line = line_of(SCRIPT, "exec-line")
    for entry in top["topAtEnd"]:
        if entry["file"] == str(SCRIPT) and entry["line"] == exec_line:
            assert entry["bytes"] < MIB, entry
    assert sum(entry["bytes"] for entry in top["topAtEnd"]) < 2 * MIB
