"""The builtins `profile` under `pyrometer lines` and `pyrometer memory` accepts
kernprof's and memory_profiler's forms (Tests/Fixtures/builtin_profile_forms.py)."""
import pytest

from conftest import FIXTURES, run

SCRIPT = FIXTURES / "builtin_profile_forms.py"


@pytest.mark.parametrize("tool", ["lines", "memory"])
def test_every_form_runs_and_is_measured(tool, tmp_path):
    proc = run([tool, "-o", tmp_path / "out.json", SCRIPT])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "forms ok"
    import json
    names = {function["name"] for function in json.loads((tmp_path / "out.json").read_text())["functions"]}
    assert names == {"a", "b", "c", "d", "Shape.area", "Shape.side"}
