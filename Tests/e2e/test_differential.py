"""pyrometer's hits equal line_profiler's (kernprof -l, same Python) line for line."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, run

HERE = Path(__file__).resolve().parent


def kernprof_hits(tmp_path, args, cwd):
    kernprof = shutil.which("kernprof", path=os.path.dirname(sys.executable))
    if kernprof is None:
        pytest.skip("line_profiler is not installed in the test environment")
    out = tmp_path / "out.lprof"
    proc = subprocess.run([kernprof, "-l", "-q", "-o", str(out), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    dump = subprocess.run([sys.executable, str(HERE / "lprof_hits.py"), str(out)],
                          capture_output=True, text=True, check=True)
    return {key: {int(line): hits for line, hits in lines.items()} for key, lines in json.loads(dump.stdout).items()}


def pyrometer_hits(tmp_path, args, cwd):
    out = tmp_path / "out.json"
    proc = run(["lines", "-o", out, *args], cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    profile = json.loads(out.read_text())
    return {f"{f['name']}@{f['firstLine']}": {e["line"]: e["hits"] for e in f["lines"] if e["hits"]}
            for f in profile["functions"]}


def compare(theirs, ours, only_common=False):
    if only_common:
        keys = set(theirs) & set(ours)
        assert keys, (sorted(theirs), sorted(ours))
    else:
        keys = set(theirs) | set(ours)
        assert {k for k in theirs if theirs[k]} <= set(ours)
    mismatches = {k: (theirs.get(k), ours.get(k)) for k in sorted(keys) if theirs.get(k, {}) != ours.get(k, {})}
    assert not mismatches, json.dumps({k: {"line_profiler": v[0], "pyrometer": v[1]} for k, v in mismatches.items()}, indent=1, default=str)
    return keys


@pytest.mark.parametrize("program", [
    ROOT / "examples" / "primes.py",
    FIXTURES / "known_counts.py",
    FIXTURES / "diff_control.py",
    FIXTURES / "diff_objects.py",
])
def test_hits_equal_line_profilers(tmp_path, program):
    theirs = kernprof_hits(tmp_path, [program], cwd=program.parent)
    ours = pyrometer_hits(tmp_path, [program], cwd=program.parent)
    compare(theirs, ours)


def test_hits_equal_on_every_function_of_a_program(tmp_path):
    """The ray tracer, no decorators: every function chosen by file."""
    program = ROOT / "bench" / "programs" / "raytracer.py"
    theirs = kernprof_hits(tmp_path, ["-p", program, program, "--size", "16"], cwd=program.parent)
    ours = pyrometer_hits(tmp_path, ["--module", program, program, "--size", "16"], cwd=program.parent)
    keys = compare(theirs, ours, only_common=True)
    names = {key.split("@")[0] for key in keys}
    assert {"Vec.dot", "Sphere.intersect", "shade", "render", "main"} <= names


def test_hits_equal_on_standard_library_code(tmp_path):
    """Code neither tool's authors wrote: every function of textwrap and difflib."""
    program = FIXTURES / "diff_stdlib.py"
    theirs = kernprof_hits(tmp_path, ["-p", "textwrap", "-p", "difflib", program], cwd=FIXTURES)
    ours = pyrometer_hits(tmp_path, ["--module", "textwrap", "--module", "difflib", program], cwd=FIXTURES)
    keys = compare(theirs, ours, only_common=True)
    names = {key.split("@")[0] for key in keys}
    assert {"TextWrapper._wrap_chunks", "SequenceMatcher.find_longest_match", "unified_diff"} <= names
