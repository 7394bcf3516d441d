"""pyrometer.memory_usage against memory_profiler.memory_usage on known
allocations (Tests/Fixtures/memory_usage_known.py): code written for
memory_profiler runs with only the import changed, with the same shapes."""
from conftest import FIXTURES, last_json, run_python

SCRIPT = FIXTURES / "memory_usage_known.py"


def test_same_answers_as_memory_profiler():
    ours = last_json(run_python(SCRIPT, args=["pyrometer"], timeout=300))
    theirs = last_json(run_python(SCRIPT, args=["memory_profiler"], timeout=300))
    for result in (ours, theirs):
        assert result["peak_above_baseline"] >= 190
        assert result["max_usage_above_baseline"] >= 190
        assert result["samples_are_floats"] and result["retval"] == 42
        assert result["timeout_samples"] == 3
        assert result["children_extra"] >= 90
    assert abs(ours["baseline"] - theirs["baseline"]) < 30  # the same process size, give or take imports


def test_memory_profiler_class(tmp_path):
    """MemoryProfiler: memory_profiler's table for the added function, exact increments."""
    script = tmp_path / "mp.py"
    script.write_text(
        "import io\n"
        "from pyrometer import MemoryProfiler\n"
        "def build():\n"
        "    a = bytearray(30 * 2**20)\n"
        "    b = bytearray(10 * 2**20)\n"
        "    del b\n"
        "    return a\n"
        "profiler = MemoryProfiler(build)\n"
        "kept = profiler.runcall(build)\n"
        "stream = io.StringIO()\n"
        "profiler.print_stats(stream=stream)\n"
        "print(stream.getvalue())\n")
    proc = run_python(script)
    assert proc.returncode == 0, proc.stderr
    rows = {int(line.split()[0]): line.split() for line in proc.stdout.splitlines() if line.strip()[:1].isdigit()}
    assert rows[4][3:5] == ["30.000", "MiB"]
    assert rows[5][3:5] == ["10.000", "MiB"]
    assert rows[6][3:5] == ["-10.000", "MiB"]
    assert "a = bytearray(30 * 2**20)" in proc.stdout
