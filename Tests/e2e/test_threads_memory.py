"""Threads under `pyrometer memory` and `pyrometer lines`: allocations of other
threads are not charged to the line the main thread is on, per-thread records are
released when threads end, and hits stay exact when many threads interleave.
The known answers are in the fixtures' docstrings."""
import json

import pytest

from conftest import FIXTURES, hits, line_of, profile_of, run

MIB = 2**20


def memory_of(args, tmp_path, timeout=120):
    out = tmp_path / "out.json"
    proc = run(["memory", "-o", out, *args], timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text()), proc


def lines_of(profile, name):
    (function,) = [f for f in profile["functions"] if f["name"] == name]
    return {entry["line"]: entry for entry in function["lines"]}


def test_background_allocation_is_not_charged_to_the_sleeping_line(tmp_path):
    """A thread started before main allocates 49 MiB (kept) while main sleeps 0.5 s:
    main's sleep line has an increment under 1 MiB, and the traced peak still
    includes the 49 MiB."""
    script = FIXTURES / "thread_alloc_during_sleep.py"
    profile, proc = memory_of(["-f", "main", script], tmp_path)
    printed = json.loads(proc.stdout.splitlines()[0])
    assert printed == {"allocated_during_sleep": True, "kept": 49 * MIB}  # else the test proves nothing
    sleep = lines_of(profile, "main")[line_of(script, "main-sleep")]
    assert sleep["occurrences"] == 1
    assert abs(sleep["increment"]) < MIB
    assert profile["peakTraced"] >= 49 * MIB


def test_raw_allocations_of_a_thread_without_the_gil_are_not_charged_to_main(tmp_path):
    """A worker thread runs lzma.compress (preset 6) on 8 MB three times, whose
    encoder allocates about 90 MiB through PyMem_RawMalloc with the GIL released,
    while main spins on lines that keep nothing: no line of main has an increment
    or a peak of 1 MiB or more, and no --top entry at the peak or at the end on
    main's lines holds 1 MiB."""
    script = FIXTURES / "lzma_worker.py"
    profile, proc = memory_of(["-f", "main", "--top", "20", script], tmp_path, timeout=300)
    assert json.loads(proc.stdout.splitlines()[0]) == {"compressions": 3, "spun": True}
    lines = lines_of(profile, "main")
    spin = lines[line_of(script, "main-spin")]
    assert spin["occurrences"] > 0  # main really ran while the worker compressed
    for number, entry in lines.items():
        assert abs(entry["increment"]) < MIB, (number, entry)
        assert entry["peak"] < MIB, (number, entry)
    main_lines = range(line_of(script, "main-first") - 1, line_of(script, "main-last") + 1)
    for listing in ("topAtPeak", "topAtEnd"):
        for entry in profile[listing]:
            if entry["file"] == str(script) and entry["line"] in main_lines:
                assert entry["bytes"] < MIB, (listing, entry)
    assert profile["peakTraced"] >= 50 * MIB  # the encoder's blocks were seen


def test_thread_churn_releases_per_thread_records(tmp_path):
    """30,000 short threads one after another, each calling work once, under
    `pyrometer lines -f work`: work's body has exactly 30,000 hits, and the
    program's RSS grows by less than 4 MiB between thread 5,000 and the end
    (keeping every thread's records grows it by about 4 KiB a thread, 100 MiB)."""
    script = FIXTURES / "thread_churn.py"
    profile, proc = profile_of(["-f", "work", script, "30000"], tmp_path)
    printed = json.loads(proc.stdout.splitlines()[0])
    assert printed["threads"] == 30000
    assert hits(profile, "work") == {line_of(script, "churn-body"): 30000}
    assert printed["rss_at_end"] - printed["rss_after_5000"] < 4 * MIB


def test_interleaving_threads_keep_exact_hits(tmp_path):
    """100 threads run work(20000) at once with a switch interval of 1 us: the
    body has 100 * 20000 hits, the for line 100 * 20001, first and last lines 100."""
    script = FIXTURES / "thread_interleave.py"
    profile, proc = profile_of(["-f", "work", script], tmp_path)
    assert json.loads(proc.stdout.splitlines()[0]) == {"results": 100, "right": True}
    assert hits(profile, "work") == {
        line_of(script, "work-total"): 100,
        line_of(script, "work-for"): 100 * 20001,
        line_of(script, "work-body"): 100 * 20000,
        line_of(script, "work-return"): 100,
    }
