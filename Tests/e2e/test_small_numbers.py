"""Small things that must be right: sys.orig_argv as python gives it, the peak RSS
never below a reading shown, a cut peak stack said to be cut, the -u kept in the
result file, and the documented JSON key order."""
import json
import re
import subprocess
import sys

import pytest

from conftest import ROOT, run

ARGV = "import sys, json; print(json.dumps([sys.orig_argv[1:], sys.argv]))"


def python_of(tmp_path):
    """sys.executable of the interpreter pyrometer runs programs in."""
    proc = run(["lines", "-c", "import sys; print(sys.executable)"], cwd=tmp_path)
    return proc.stdout.splitlines()[0]


@pytest.mark.parametrize("form", ["script", "-c", "-m"])
def test_orig_argv_is_what_python_gives(form, tmp_path):
    (tmp_path / "show_argv.py").write_text(ARGV + "\n")
    program = {"script": ["show_argv.py"], "-c": ["-c", ARGV], "-m": ["-m", "show_argv"]}[form]
    args = [*program, "a", "-b", "--c=1"]
    plain = subprocess.run([sys.executable, *args], cwd=tmp_path, capture_output=True, text=True, check=True)
    for tool in ("lines", "memory", "leaks"):
        proc = run([tool, *args], cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout.splitlines()[0]) == json.loads(plain.stdout), tool
    proc = run(["lines", "-c", "import sys; print(sys.orig_argv[0] == sys.executable)"], cwd=tmp_path)
    assert proc.stdout.splitlines()[0] == "True"


def test_peak_rss_is_never_below_a_reading(tmp_path):
    script = tmp_path / "churn.py"
    script.write_text(
        "def churn():\n"
        "    blocks = []\n"
        "    for size in range(1, 40):\n"
        "        blocks.append(bytearray(size * 1_000_000))\n"
        "        if size % 3 == 0:\n"
        "            blocks.clear()\n"
        "    return len(blocks)\n"
        "churn()\n")
    out = tmp_path / "m.json"
    proc = run(["memory", "-f", "churn", "--plot", tmp_path / "m.svg", "-o", out, script], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    readings = [line["resident"] for f in result["functions"] for line in f["lines"]]
    readings += [sample["resident"] for sample in result["timeline"]["samples"]]
    assert len(readings) > 10
    assert result["peakResident"] >= max(readings)


def test_a_deep_peak_stack_says_it_was_cut(tmp_path):
    script = tmp_path / "deep.py"
    for depth, cut in ((100, True), (10, False)):
        script.write_text(
            "def down(n):\n"
            "    if n == 0:\n"
            "        return bytearray(30_000_000)\n"
            "    return down(n - 1)\n"
            f"keep = down({depth})\n")
        out = tmp_path / "m.json"
        proc = run(["memory", "-o", out, script], cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        result = json.loads(out.read_text())
        frames = [frame for frame in result["peakStack"] if frame["function"] == "down"]
        if cut:
            assert result.get("peakStackCut") is True and len(result["peakStack"]) == 64
            assert "outer frames cut, the innermost 64 kept" in proc.stdout
        else:
            assert "peakStackCut" not in result and len(frames) == depth + 1
            assert "Peak reached in (most recent call last):" in proc.stdout
            assert result["peakStack"][-1]["function"] == "<module>"


def test_the_unit_given_with_u_is_kept(tmp_path):
    script = tmp_path / "work.py"
    script.write_text("@profile\ndef work():\n    return bytearray(3 * 1024 * 1024)\nkeep = work()\n")
    out = tmp_path / "l.json"
    assert run(["lines", "-u", "1e-3", "-o", out, script], cwd=tmp_path).returncode == 0
    assert json.loads(out.read_text())["outputUnit"] == 0.001
    assert run(["view", out]).stdout.startswith("Timer unit: 0.001 s")
    assert run(["view", "-u", "1", out]).stdout.startswith("Timer unit: 1 s")
    assert run(["lines", "-o", out, script], cwd=tmp_path).returncode == 0
    assert "outputUnit" not in json.loads(out.read_text())
    assert run(["view", out]).stdout.startswith("Timer unit: 1e-06 s")

    out = tmp_path / "m.json"
    printed = run(["memory", "-u", "KiB", "-o", out, script], cwd=tmp_path).stdout
    assert json.loads(out.read_text())["unit"] == "KiB"
    shown = run(["view", out]).stdout
    assert shown == printed and "Mem usage" in shown and " KiB " in shown
    assert " MiB " in run(["view", "-u", "MiB", out]).stdout

    out = tmp_path / "t.json"
    printed = run(["timeit", "-n", "100", "-r", "3", "-u", "msec", "-o", out, "x = 1"]).stdout
    assert json.loads(out.read_text())["unit"] == "msec" and " msec per loop" in printed
    assert " msec per loop" in run(["view", out]).stdout
    assert " usec per loop" in run(["view", "-u", "usec", out]).stdout


def json_blocks(text):
    """The ```json examples of docs/json-format.md, parsed keeping key order."""
    return [json.loads(block, object_pairs_hook=lambda pairs: pairs)
            for block in re.findall(r"```json\n(.*?)```", text, re.S)]


def keys_everywhere(value, found):
    """Every object's key list, recursively (objects as lists of pairs)."""
    if isinstance(value, list) and value and all(isinstance(p, tuple) and len(p) == 2 for p in value):
        found.append([key for key, _ in value])
        for _, item in value:
            keys_everywhere(item, found)
    elif isinstance(value, list):
        for item in value:
            keys_everywhere(item, found)
    return found


def test_documented_examples_have_the_written_key_order(tmp_path):
    blocks = json_blocks((ROOT / "docs" / "json-format.md").read_text())
    assert len(blocks) >= 2
    for block in blocks:
        for keys in keys_everywhere(block, []):
            assert keys == sorted(keys), keys
    # The files written are in that order too, at every level.
    script = tmp_path / "work.py"
    script.write_text("@profile\ndef work():\n    return [0] * 1000\nwork()\n")
    for args in (["lines", "-u", "1e-3", script], ["memory", "-u", "KiB", "--top", "3", script], ["sample", script],
                 ["timeit", "-n", "10", "-r", "3", "-u", "usec", "x = 1", "x = 2"]):
        out = tmp_path / "r.json"
        assert run([*args[:1], "-o", out, *args[1:]], cwd=tmp_path).returncode == 0
        written = json.loads(out.read_text(), object_pairs_hook=lambda pairs: pairs)
        for keys in keys_everywhere(written, []):
            assert keys == sorted(keys), keys
        # Every key written is documented.
        prose = re.sub(r"```.*?```", "", (ROOT / "docs" / "json-format.md").read_text(), flags=re.S)
        documented = {word for quoted in re.findall(r"`([^`]+)`", prose) for word in re.findall(r"[A-Za-z]+", quoted)}
        # (a sample profile's `sources` is keyed by file names, not by field names)
        fields = [pair for pair in written if pair[0] != "sources"]
        for keys in keys_everywhere(fields, []):
            assert set(keys) <= documented, set(keys) - documented
