"""`pyrometer memory`: known answers, memory_profiler's format, and tracemalloc's view."""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import FIXTURES, line_of, run

MIB = 2**20
KNOWN = FIXTURES / "memory_known.py"


def memory_of(args, tmp_path, env=None, expect_status=0):
    out = tmp_path / "memory.json"
    proc = run(["memory", "-o", out, *args], env=env)
    assert proc.returncode == expect_status, proc.stderr
    return json.loads(out.read_text()), proc


def lines_of(profile, name):
    (function,) = [f for f in profile["functions"] if f["name"] == name]
    return {entry["line"]: entry for entry in function["lines"]}


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("known")
    profile, proc = memory_of(["--top", "5", "--peak", "--plot", tmp / "plot.svg", KNOWN], tmp)
    return profile, proc, json.loads(proc.stdout.splitlines()[0]), tmp / "plot.svg"


def at(marker):
    return line_of(KNOWN, marker)


def test_big_block_and_its_del(known):
    profile, _, _, _ = known
    lines = lines_of(profile, "big_block")
    assert lines[at("big-alloc")]["increment"] == pytest.approx(100 * MIB, rel=0.01)
    assert lines[at("big-del")]["increment"] == pytest.approx(-100 * MIB, rel=0.01)
    assert lines[at("big-alloc")]["peak"] == pytest.approx(100 * MIB, rel=0.01)
    assert lines[at("big-alloc")]["occurrences"] == 1


def test_mem_usage_is_the_resident_size(known):
    profile, _, printed, _ = known
    lines = lines_of(profile, "big_block")
    # RSS after the allocating line, against the program's own reading right after it.
    assert abs(lines[at("big-alloc")]["resident"] - printed["rss_after_big"]) <= MIB


def test_million_small_objects(known):
    profile, _, printed, _ = known
    increment = lines_of(profile, "many_small")[at("many-alloc")]["increment"]
    assert increment == pytest.approx(printed["expected_small"], rel=0.01)


def test_occurrences_sum_their_runs(known):
    profile, _, _, _ = known
    line = lines_of(profile, "grow")[at("grow-append")]
    assert line["occurrences"] == 3
    assert line["increment"] == pytest.approx(3 * MIB, rel=0.01)
    first = lines_of(profile, "grow")[min(lines_of(profile, "grow"))]
    assert first["occurrences"] == 3  # calls, on the def line


def test_allocation_in_another_thread(known):
    """The worker's 30 MiB belong to the worker's line, not to the main thread's
    lines that ran meanwhile (thread.join): a line counts its own thread only."""
    profile, _, _, _ = known
    lines = lines_of(profile, "threaded")
    assert abs(lines[at("thread-join")]["increment"]) < MIB
    assert sum(entry["increment"] for entry in lines.values()) < MIB
    held = {(h["file"], h["line"]): h["bytes"] for h in profile["topAtEnd"]}
    assert held[(str(KNOWN), at("thread-alloc"))] == pytest.approx(30 * MIB, rel=0.001)


def test_top_names_the_planted_cache(known):
    profile, proc, _, _ = known
    first = profile["topAtEnd"][0]
    assert (first["file"], first["line"], first["function"]) == (str(KNOWN), at("planted-cache"), "fill_cache")
    assert first["bytes"] == pytest.approx(50 * MIB, rel=0.001)
    assert f"{KNOWN}:{at('planted-cache')} (fill_cache)" in proc.stdout
    assert "Top 5 lines by memory held at the end:" in proc.stdout


def test_peak_and_the_stack_that_reached_it(tmp_path):
    code = ("def spike():\n"
            "    block = bytearray(200 * 2**20)\n"
            "    del block\n"
            "def outer():\n"
            "    spike()\n"
            "outer()\n"
            "keep = bytearray(2**20)\n")
    profile, proc = memory_of(["--top", "3", "-c", code], tmp_path)
    assert profile["peakTraced"] == pytest.approx(200 * MIB, rel=0.01)
    assert profile["peakResident"] >= 200 * MIB
    frames = [(f["file"], f["function"], f["line"]) for f in profile["peakStack"]]
    assert frames[:3] == [("<string>", "spike", 2), ("<string>", "outer", 5), ("<string>", "<module>", 6)]
    top_peak = profile["topAtPeak"][0]
    assert (top_peak["line"], top_peak["function"], top_peak["count"]) == (2, "spike", 2)  # object and buffer
    assert top_peak["bytes"] == pytest.approx(200 * MIB, rel=0.001)
    assert profile["topAtEnd"][0]["line"] == 7
    assert 'File "<string>", line 2, in spike' in proc.stdout


def test_memory_profiler_table_layout(known):
    _, proc, _, _ = known
    out = proc.stdout
    assert f"Filename: {KNOWN}\n\n" in out
    header = "Line #    Mem usage    Increment         Peak  Occurrences   Line Contents"
    assert header + "\n" + "=" * len(header) + "\n" in out
    row = next(line for line in out.splitlines() if line.endswith("# big-del"))
    assert row.split()[0] == str(at("big-del"))
    assert row.split()[3:5] == ["-100.000", "MiB"]


def test_plot_is_svg_with_both_series(known):
    _, _, _, plot = known
    root = ET.parse(plot).getroot()
    ns = {"svg": "http://www.w3.org/2000/svg"}
    series = {p.get("id"): p.get("points").split() for p in root.iter("{http://www.w3.org/2000/svg}polyline")}
    assert set(series) == {"resident", "traced"}
    assert len(series["resident"]) >= 2 and len(series["resident"]) == len(series["traced"])
    calls = [r.get("data-function") for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "call"]
    assert {"big_block", "many_small", "grow", "threaded"} <= set(calls)
    assert calls.count("grow") == 3


def test_numpy_arrays_are_counted(tmp_path):
    pytest.importorskip("numpy")
    script = FIXTURES / "memory_numpy.py"
    env = {"VIRTUAL_ENV": os.environ["PYROMETER_TEST_VENV"]} if os.environ.get("PYROMETER_TEST_VENV") else None
    profile, _ = memory_of([script], tmp_path, env=env)
    line = lines_of(profile, "ones")[line_of(script, "numpy-ones")]
    assert line["increment"] == pytest.approx(10**7 * 8, rel=0.01)  # about 76 MiB


def test_units_and_view(tmp_path):
    out = tmp_path / "again.json"
    first = run(["memory", "-o", out, "-f", "grow", KNOWN])
    assert first.returncode == 0
    viewed = run(["view", out])
    report = first.stdout.split("\n", 1)[1]  # after the program's own line
    assert viewed.stdout == report
    kib = run(["view", "-u", "KiB", out])
    row = next(line for line in kib.stdout.splitlines() if line.endswith("# grow-append"))
    assert "3072." in row and "KiB" in row


def test_whole_program_without_profile_decorators(tmp_path):
    profile, proc = memory_of(["--top", "3", "-c", "import sys\nx = [bytes(1000) for _ in range(5000)]"], tmp_path)
    assert profile["functions"] == []
    first = profile["topAtEnd"][0]
    assert (first["file"], first["line"]) == ("<string>", 2)
    assert 5000 < first["count"] <= 5010  # the bytes objects, the list and its items
    assert "Peak traced memory:" in proc.stdout


def test_report_when_program_raises(tmp_path):
    profile, proc = memory_of(["--top", "2", "-c", "import sys\nkeep = bytearray(3 * 2**20)\nraise SystemExit(4)"], tmp_path, expect_status=4)
    assert profile["topAtEnd"][0]["line"] == 2


def test_agrees_with_tracemalloc(tmp_path):
    """The lines holding the most memory at the end, and their sizes, as
    tracemalloc.take_snapshot().statistics('lineno') sees them (same Python)."""
    script = FIXTURES / "memory_tracemalloc.py"
    theirs_proc = subprocess.run([sys.executable, "-X", "tracemalloc", str(script)], capture_output=True, text=True, check=True)
    theirs = {(f, l): size for f, l, size, count in json.loads(theirs_proc.stdout) if f == str(script)}
    profile, _ = memory_of(["--top", "10", script], tmp_path)
    ours = {(h["file"], h["line"]): h["bytes"] for h in profile["topAtEnd"] if h["file"] == str(script)}
    markers = [line_of(script, m) for m in ("tm-dict", "tm-rows", "tm-blob", "tm-words")]
    ranked_theirs = sorted(theirs, key=theirs.get, reverse=True)[:4]
    ranked_ours = sorted(ours, key=ours.get, reverse=True)[:4]
    assert {l for _, l in ranked_theirs} == set(markers) == {l for _, l in ranked_ours}
    for key in ranked_theirs:
        assert ours[key] == pytest.approx(theirs[key], rel=0.05), key


@pytest.mark.parametrize("args", [["--unit", "TB", "x.py"], ["--top", "0", "x.py"], []])
def test_bad_options(args):
    proc = run(["memory", *args])
    assert proc.returncode == 2
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("pyrometer: error: ")


def test_unwritable_plot(tmp_path):
    proc = run(["memory", "--plot", tmp_path / "no" / "p.svg", KNOWN])
    assert proc.returncode == 2 and "cannot write" in proc.stderr


def test_report_when_interrupted(tmp_path):
    code = ("import os, signal\n"
            "keep = bytearray(5 * 2**20)\n"
            "os.kill(os.getpid(), signal.SIGINT)\n"
            "signal.pause()\n")
    out = tmp_path / "m.json"
    proc = run(["memory", "--top", "1", "-o", out, "-c", code])
    assert proc.returncode in (-2, 130)
    assert "KeyboardInterrupt" in proc.stderr
    assert json.loads(out.read_text())["topAtEnd"][0]["line"] == 2


def test_child_processes_made_by_fork_work(tmp_path):
    code = ("import multiprocessing as mp\n"
            "def work(n):\n"
            "    return len(bytearray(n))\n"
            "if __name__ == '__main__':\n"
            "    with mp.get_context('fork').Pool(2) as pool:\n"
            "        print(sum(pool.map(work, [2**20] * 8)))\n")
    script = tmp_path / "forks.py"
    script.write_text(code)
    proc = run(["memory", script], timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == str(8 * 2**20)


def test_peak_stacks_of_short_lived_code(tmp_path):
    """Each new peak is reached inside a code object that dies soon after: the
    stacks kept for the peak must not free memory inside the allocator hooks."""
    code = ("data = []\n"
            "for i in range(60):\n"
            "    exec(compile(f'data.append(bytearray(200_000 + {i}))', '<gen>', 'exec'))\n")
    # No --top and no -o: lines are not tracked, so nothing else keeps those code
    # objects alive.
    proc = run(["memory", "-c", code], timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert 'Peak reached in (most recent call last):\n  File "<string>", line 3, in <module>\n  File "<gen>", line 1, in <module>\n' in proc.stdout
