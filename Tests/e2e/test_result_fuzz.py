"""`pyrometer view` on damaged result files: real files of every tool, mutated with
a fixed seed (Tests/e2e/result_fuzz.py), and the corpus of files that once crashed
or hung the reader (Tests/Fixtures/result-corpus). No crash, no hang, and every
refusal is one `pyrometer: error:` line."""
import json
from pathlib import Path

import pytest

from conftest import FIXTURES, pyrometer_bin, run
import result_fuzz

CORPUS = FIXTURES / "result-corpus"
FILES_PER_TOOL = 100  # scripts/fuzz-view runs thousands


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    return result_fuzz.make_seeds(pyrometer_bin(), tmp_path_factory.mktemp("seeds"))


def test_seeds_are_read_back(seeds):
    for tool, paths in seeds.items():
        for path in paths:
            for options in result_fuzz.VIEW_VARIANTS[tool]:
                verdict, proc, _ = result_fuzz.view(pyrometer_bin(), path, options, timeout=60)
                assert verdict == "ok", (path, options, proc and proc.stderr)


@pytest.mark.parametrize("tool", ["lines", "memory", "timeit", "leaks", "sample"])
def test_mutated_files(seeds, tool, tmp_path):
    counts, failures = result_fuzz.fuzz(pyrometer_bin(), {tool: seeds[tool]}, FILES_PER_TOOL, tmp_path,
                                        seed=1100 + len(tool), timeout=10)
    assert failures == [], failures[:5]
    tally = counts[tool]
    # The mutations must reach the renderers, not only the JSON decoder.
    assert tally["ok"] > 0 and tally["refused"] > 0, tally


def corpus_files():
    """Small files, named TOOL-WHAT-..., that once crashed or hung `view` or made
    it print more than one error line (found by the fuzzing, then shrunk)."""
    return sorted(CORPUS.glob("*.json"))


def test_corpus_is_there():
    assert len(corpus_files()) >= 10


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_file(path):
    tool = path.name.split("-")[0]  # files are named after the tool that wrote them
    for options in result_fuzz.VIEW_VARIANTS[tool]:
        verdict, proc, _ = result_fuzz.view(pyrometer_bin(), path, options, timeout=10)
        assert verdict in ("ok", "refused"), (verdict, options, proc and proc.stderr[-300:])


def lines_file(tmp_path, **changes):
    """A small valid lines result with `changes` applied to its one function."""
    function = {"name": "f", "file": "f.py", "firstLine": 1, "source": ["def f():", "    return 1"],
                "lines": [{"line": 2, "hits": 3, "time": 4000}]}
    function.update(changes)
    document = {"format": "pyrometer.lines", "version": 1, "timerUnit": 1e-9, "python": "3.11.7",
                "command": ["f.py"], "exitStatus": 0, "functions": [function]}
    path = tmp_path / "lines.json"
    path.write_text(json.dumps(document))
    return path


def test_valid_small_file_is_shown(tmp_path):
    proc = run(["view", lines_file(tmp_path)])
    assert proc.returncode == 0, proc.stderr
    assert "     2         3          4.0      1.3    100.0      return 1" in proc.stdout


@pytest.mark.parametrize("changes, message", [
    ({"lines": [{"line": 10**9, "hits": 1, "time": 1}]},
     "'functions.0' spans 1000000000 lines; a file of this size holds at most"),
    ({"lines": [{"line": 2, "hits": -1, "time": 1}]}, "'functions.0.lines.0.hits' is -1; it cannot be negative"),
    ({"lines": [{"line": 2, "hits": 1, "time": 2**63 - 1}, {"line": 1, "hits": 1, "time": 1}]},
     "'functions.0.lines.*.time' add up to more than 9223372036854775807"),
    ({"firstLine": 0}, "'functions.0.firstLine' is 0, not a line number (1 to 2147483647)"),
    ({"lines": [{"line": 2, "hits": 1, "time": 1}, {"line": 2, "hits": 1, "time": 1}]},
     "'functions.0.lines.1.line' lists line 2 twice"),
])
def test_refusals_name_the_field(tmp_path, changes, message):
    path = lines_file(tmp_path, **changes)
    proc = run(["view", path])
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"pyrometer: error: '{path}' is a damaged pyrometer.lines file: {message}")
    assert proc.stderr.count("\n") == 1 and proc.stderr.endswith("\n")


def test_negative_version_refused(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"format": "pyrometer.lines", "version": -1}))
    proc = run(["view", path])
    assert proc.returncode == 2
    assert proc.stderr == f"pyrometer: error: '{path}' is pyrometer.lines version -1; versions start at 1\n"


def test_control_bytes_in_an_error_are_escaped(tmp_path):
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"format": "evil\x1b[2J\nsecond line", "version": 1}))
    proc = run(["view", path])
    assert proc.returncode == 2
    assert proc.stderr == f"pyrometer: error: '{path}' holds 'evil\\x1b[2J\\nsecond line' results, " \
        "which this pyrometer cannot show\n"


def test_negative_top_refused(tmp_path):
    proc = run(["view", "--top=-3", lines_file(tmp_path)])
    assert proc.returncode == 2 and proc.stderr == "pyrometer: error: --top must be 0 or more, not -3\n"
