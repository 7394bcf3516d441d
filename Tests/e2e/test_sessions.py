"""Measurements as restartable sessions: the Python driver pyrometer._session.Session
in plain Python (run with conftest.run_python), and `pyrometer lines` on programs
that set their own trace functions.

Restart semantics are line_profiler's enable/disable: a Session started, stopped
and started again accumulates (nothing is counted while it is stopped); a new
Session starts from zero. Session.result() is the JSON `pyrometer lines -o` (or
`pyrometer memory -o`) writes. The known answers are in the fixtures' docstrings
(Tests/Fixtures/session_target.py, own_tracer.py).
"""
import json

import pytest

from conftest import FIXTURES, hits, last_json, line_of, profile_of, run_python

MIB = 2**20
TARGET = FIXTURES / "session_target.py"
OWN_TRACER = FIXTURES / "own_tracer.py"


def at(marker, path=TARGET):
    return line_of(path, marker)


def f_hits(calls, n):
    """line_profiler's hits of session_target.f after `calls` calls of f(n) each."""
    return {at("f-total"): calls, at("f-for"): calls * (n + 1), at("f-body"): calls * n, at("f-return"): calls}


def driver(code):
    """Runs `code` (which prints JSON on its last line) with session_target importable."""
    return last_json(run_python(code, path=[FIXTURES]))


def lines_of(result, name):
    (function,) = [f for f in result["functions"] if f["name"] == name]
    return {entry["line"]: entry for entry in function["lines"]}


def test_two_sessions_in_one_process_count_the_same():
    """Two Sessions one after the other, each timing f(1000), give identical hits,
    equal to the known counts (for line 1001, body 1000): the second Session starts
    from zero and is not disturbed by the first."""
    runs = driver("""
        import json
        from pyrometer._session import Session
        from session_target import f
        runs = []
        for _ in range(2):
            s = Session("lines")
            s.add(f)
            with s:
                f(1000)
            runs.append(s.result())
        print(json.dumps(runs))
    """)
    assert [r["format"] for r in runs] == ["pyrometer.lines"] * 2
    first, second = (hits(r, "f") for r in runs)
    assert first == f_hits(1, 1000)
    assert second == first


def test_start_stop_start_accumulates_and_ignores_calls_while_stopped():
    """start; f(300); stop; f(500); start; f(200); stop: the hits are those of
    f(300) and f(200) together (for line 301 + 201 = 502, body 500); the call made
    while stopped adds nothing."""
    runs = driver("""
        import json
        from pyrometer._session import Session
        from session_target import f
        s = Session("lines")
        s.add(f)
        s.start()
        f(300)
        s.stop()
        f(500)
        s.start()
        f(200)
        s.stop()
        print(json.dumps(s.result()))
    """)
    assert hits(runs, "f") == {at("f-total"): 2, at("f-for"): 502, at("f-body"): 500, at("f-return"): 2}


def test_stopped_session_counts_nothing_more():
    """After stop(), calls of f change nothing in a later result() (f(100) timed,
    then f(700) untimed: the result still says for line 101, body 100)."""
    result = driver("""
        import json
        from pyrometer._session import Session
        from session_target import f
        s = Session("lines")
        s.add(f)
        with s:
            f(100)
        f(700)
        print(json.dumps(s.result()))
    """)
    assert hits(result, "f") == f_hits(1, 100)


def test_two_memory_sessions_see_the_same_10_mib():
    """Two memory Sessions one after the other, each around a call that allocates a
    10 MiB bytearray and keeps it: both give the allocating line an increment of
    10 MiB (within 1%) and one occurrence."""
    runs = driver("""
        import json
        from pyrometer._session import Session
        from session_target import keep_10mib
        kept, runs = [], []
        for _ in range(2):
            s = Session("memory")
            s.add(keep_10mib)
            with s:
                kept.append(keep_10mib())
            runs.append(s.result())
        print(json.dumps(runs))
    """)
    assert [r["format"] for r in runs] == ["pyrometer.memory"] * 2
    for result in runs:
        line = lines_of(result, "keep_10mib")[at("keep-alloc")]
        assert line["increment"] == pytest.approx(10 * MIB, rel=0.01)
        assert line["occurrences"] == 1


TRACER_BEFORE_SESSION = """
    import json, sys
    from session_target import f, ten
    counts = {}
    def tracer(frame, event, arg):
        if frame.f_code is ten.__code__:
            counts[event] = counts.get(event, 0) + 1
        return tracer
    sys.settrace(tracer)
    result = None
    if KIND:
        from pyrometer._session import Session
        s = Session(KIND)
        s.add(f)
        s.start()
        f(100)
        s.stop()
        result = s.result()
    restored = sys.gettrace() is tracer
    ten()
    sys.settrace(None)
    print(json.dumps({"restored": restored, "counts": counts, "result": result}))
"""


@pytest.mark.parametrize("kind", ["lines", "memory"])
def test_trace_function_set_before_a_session_survives_it(kind):
    """A trace function set with sys.settrace before a Session starts is
    sys.gettrace() again after stop() and still gets every event of code run after
    stop: ten() (a 10-iteration loop) gives 1 call, 23 line and 1 return events,
    exactly as in the same program without a Session."""
    plain = driver(TRACER_BEFORE_SESSION.replace("KIND", "None"))
    assert plain["counts"] == {"call": 1, "line": 23, "return": 1}
    assert plain["restored"]
    measured = driver(TRACER_BEFORE_SESSION.replace("KIND", repr(kind)))
    assert measured["restored"], "sys.gettrace() is not the program's tracer after stop()"
    assert measured["counts"] == plain["counts"]
    if kind == "lines":
        assert hits(measured["result"], "f") == f_hits(1, 100)
    else:
        assert lines_of(measured["result"], "f")[at("f-for")]["occurrences"] == 101


@pytest.mark.parametrize("how", ["sys", "thread"])
def test_program_with_its_own_tracer_keeps_exact_hits(how, tmp_path):
    """A program that sets its own tracer (sys.settrace, or threading.settrace and a
    thread) around loop(1112), under `pyrometer lines -f loop`: loop keeps its exact
    hits (for line 1113, body 1112), and the program's tracer still sees loop's
    1 call and 2227 line events, as under plain Python."""
    plain = last_json(run_python(OWN_TRACER, args=[how]))
    assert plain == {"calls": 1, "lines": 2227}
    profile, proc = profile_of(["-f", "loop", OWN_TRACER, how], tmp_path)
    assert json.loads(proc.stdout.splitlines()[0]) == plain
    assert hits(profile, "loop") == {at("loop-total", OWN_TRACER): 1, at("loop-for", OWN_TRACER): 1113,
                                     at("loop-body", OWN_TRACER): 1112, at("loop-return", OWN_TRACER): 1}
