"""`pyrometer leaks` on programs with planted leaks (Tests/Fixtures/leaks): each is
found with the right type, growth per call and reference chain; a clean program
is reported clean."""
import json
import re

import pytest

from conftest import FIXTURES, leak_report, line_of, run

LEAKS = FIXTURES / "leaks"


def hunt(tmp_path, *args, status=0):
    return leak_report(tmp_path, args, LEAKS, status)


def leak(report, type_name):
    found = {entry["type"]: entry for entry in report["leaks"]}
    assert type_name in found, f"{type_name} not among {sorted(found)}"
    return found[type_name]


# (module, leaking type, objects per call, path of the sample, allocating line marker)
PLANTED = [
    ("global_list", "global_list.Record", 25, r"global_list\.HISTORY\[\d+\]", "allocates a Record"),
    ("request_cache", "dict", 10, r"request_cache\._CACHE\['request-\d+'\]", None),
    ("request_cache", "str", 10, r"request_cache\._CACHE key 'request-\d+'", "a new key per request"),
    ("del_cycle", "del_cycle.Session", 4, r"del_cycle\.REGISTRY\[\d+\]", "allocates a Session"),
    ("string_leak", "str", 30, r"string_leak\.LOG\[\d+\]", "allocates a str"),
    ("closure_leak", "bytearray", 20, r"closure_leak\.handle\.__closure__\[0\]\.cell_contents\[\d+\]",
     "allocates a bytearray"),
]


@pytest.mark.parametrize("module,type_name,per_call,path,marker", PLANTED,
                         ids=[f"{p[0]}-{p[1]}" for p in PLANTED])
def test_planted_leak_found_with_growth_and_chain(tmp_path, module, type_name, per_call, path, marker):
    report, proc = hunt(tmp_path, "--call", f"{module}:handle", "--repeat", "5", "--trace-allocations")
    assert report["mode"] == "calls" and report["points"] == [0, 1, 2, 3, 4, 5]
    found = leak(report, type_name)
    assert found["countGrows"] and found["countGrowth"] == per_call
    assert found["counts"][-1] - found["counts"][0] >= 5 * per_call - 5
    sample = found["sample"]
    assert sample["root"] == f"module {module}"
    assert re.fullmatch(path, sample["path"]), sample["path"]
    assert sample["chain"][0]["type"] == "module" and sample["chain"][-1]["type"] == type_name
    if marker:
        assert sample["allocatedAt"]["line"] == line_of(LEAKS / f"{module}.py", marker)
        assert sample["allocatedAt"]["file"].endswith(f"{module}.py")
    assert f"{type_name}: +{per_call:.1f} objects" in proc.stdout
    assert "Leak found:" in proc.stdout


def test_growing_container_reported_by_bytes(tmp_path):
    report, _ = hunt(tmp_path, "--call", "global_list:handle", "--repeat", "5")
    history = leak(report, "list")
    assert not history["countGrows"] and history["bytesGrowth"] > 0
    assert history["sample"]["path"] == "global_list.HISTORY"


def test_cycle_partner_found_through_its_owner(tmp_path):
    report, _ = hunt(tmp_path, "--call", "del_cycle:handle", "--repeat", "4")
    peer = leak(report, "del_cycle.Peer")
    assert peer["countGrowth"] == 4
    assert re.fullmatch(r"del_cycle\.REGISTRY\[\d+\]\.peer", peer["sample"]["path"])


def test_clean_program_is_reported_clean(tmp_path):
    report, proc = hunt(tmp_path, "--call", "clean:handle", "--repeat", "8", "--fail-on-leak")
    assert report["leaks"] == [] and report.get("problem") is None
    assert "No leak: no type kept growing over 8 calls" in proc.stdout


def test_fail_on_leak_exits_1(tmp_path):
    report, _ = hunt(tmp_path, "--call", "string_leak:handle", "--repeat", "3", "--fail-on-leak", status=1)
    assert leak(report, "str")["countGrowth"] == 30


def test_call_into_the_script_that_was_run(tmp_path):
    report, proc = hunt(tmp_path, "--call", "global_list:handle", "--repeat", "4", "global_list.py")
    found = leak(report, "__main__.Record")  # the script runs as __main__
    assert found["countGrowth"] == 25 and re.fullmatch(r"__main__\.HISTORY\[\d+\]", found["sample"]["path"])


def test_interval_mode_finds_a_leak_held_by_a_local(tmp_path):
    report, proc = hunt(tmp_path, "--interval", "0.25", "growing_server.py", "3")
    assert report["mode"] == "interval" and len(report["points"]) >= 3
    found = leak(report, "__main__.Request")
    assert found["countGrowth"] > 0
    assert found["sample"]["root"].startswith("local kept in main (")
    assert re.fullmatch(r"kept\[\d+\]", found["sample"]["path"])
    assert proc.stdout.startswith("served ")


def test_interval_mode_steady_program_is_clean(tmp_path):
    report, proc = hunt(tmp_path, "--interval", "0.25", "--fail-on-leak", "steady_server.py", "3")
    assert len(report["points"]) >= 3
    assert report["leaks"] == [], [entry["type"] for entry in report["leaks"]]


def test_program_too_short_to_judge(tmp_path):
    # A census every 5 s, a program of 0.2 s: none taken, four needed.
    report, proc = hunt(tmp_path, "--interval", "5", "steady_server.py", "0.2")
    assert report["leaks"] == [] and report["points"] == []
    assert report["problem"].startswith("not enough censuses to judge: 0 taken, 4 needed")
    assert "Could not judge: not enough censuses to judge: 0 taken, 4 needed" in proc.stdout
    assert "use a smaller --interval" in proc.stdout


def test_program_too_short_to_judge_fails_under_fail_on_leak(tmp_path):
    # Two censuses (at 0.3 s and 0.6 s of a 0.75 s program) are too few: no
    # verdict, and --fail-on-leak does not pass the run as clean.
    script = tmp_path / "short.py"
    script.write_text("import time\nKEPT = []\nfor _ in range(15):\n    KEPT.append(object())\n    time.sleep(0.05)\n")
    out = tmp_path / "r.json"
    proc = run(["leaks", "--interval", "0.3", "--fail-on-leak", "-o", out, script], cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    taken = len(report["points"])
    assert taken < 4 and report["leaks"] == []
    reason = f"not enough censuses to judge: {taken} taken, 4 needed"
    assert report["problem"].startswith(reason)
    assert proc.stderr.strip().splitlines() == [f"pyrometer: error: --fail-on-leak: {report['problem']}"]
    # Without --fail-on-leak the same run is reported, not failed.
    again = run(["leaks", "--interval", "5", script], cwd=tmp_path)
    assert again.returncode == 0 and "not enough censuses to judge: 0 taken, 4 needed" in again.stdout


def test_profile_is_in_builtins(tmp_path):
    # A program written for kernprof or memory_profiler runs under leaks unchanged.
    script = tmp_path / "decorated.py"
    script.write_text("KEPT = []\n\n@profile\ndef handle():\n    KEPT.append(object())\n\n"
                      "@profile(precision=3)\ndef helper():\n    return 1\n\n"
                      "with profile:\n    helper()\nhandle()\nprint('ran', handle.__name__, helper())\n")
    report, proc = hunt(tmp_path, "--call", "decorated:handle", "--repeat", "4", script)
    assert proc.stdout.startswith("ran handle 1\n")
    assert leak(report, "object")["countGrowth"] == 1
    interval = run(["leaks", "--interval", "5", script], cwd=tmp_path)
    assert interval.returncode == 0 and "NameError" not in interval.stderr, interval.stderr
    assert interval.stdout.startswith("ran handle 1\n")


def test_call_a_function_of_a_file(tmp_path):
    # path/to/file.py:function, relative to where pyrometer started, without running it first.
    work = tmp_path / "work"
    work.mkdir()
    report, proc = hunt(tmp_path, "--call", str(LEAKS / "string_leak.py") + ":handle", "--repeat", "4")
    assert leak(report, "str")["countGrowth"] == 30
    assert report["function"] == str(LEAKS / "string_leak.py") + ":handle"
    relative = run(["leaks", "--call", "../Fixtures/leaks/global_list.py:handle", "--repeat", "4", "-o", tmp_path / "g.json"],
                   cwd=LEAKS.parent.parent / "e2e", timeout=300)
    assert relative.returncode == 0, relative.stderr
    found = leak(json.loads((tmp_path / "g.json").read_text()), "global_list.Record")
    assert found["countGrowth"] == 25 and re.fullmatch(r"global_list\.HISTORY\[\d+\]", found["sample"]["path"])
    assert "4 calls of ../Fixtures/leaks/global_list.py:handle" in relative.stdout


def test_call_a_function_of_the_script_by_its_path(tmp_path):
    # The script being run is the file: its function is __main__'s.
    report, _ = hunt(tmp_path, "--call", "./global_list.py:handle", "--repeat", "4", "global_list.py")
    found = leak(report, "__main__.Record")
    assert found["countGrowth"] == 25


def test_call_file_that_does_not_load_is_one_line(tmp_path):
    (tmp_path / "bad.py").write_text("def f(:\n    pass\n")
    (tmp_path / "raiser.py").write_text("raise RuntimeError('boom at import')\n")
    for call, message in [("bad.py:f", "--call: cannot load 'bad.py': SyntaxError: invalid syntax"),
                          ("raiser.py:f", "--call: cannot load 'raiser.py': RuntimeError: boom at import")]:
        proc = run(["leaks", "--call", call], cwd=tmp_path)
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("pyrometer: error: " + message), proc.stderr


def test_call_file_sees_its_neighbours_and_survives_a_chdir(tmp_path):
    # The file's folder is on sys.path (it imports a neighbour); the program's
    # chdir does not move a relative --call path.
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "store.py").write_text("ITEMS = []\n")
    (lib / "jobs.py").write_text("import store\n\ndef job():\n    store.ITEMS.append(bytearray(100))\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "r.json"
    proc = run(["leaks", "--call", "lib/jobs.py:job", "--repeat", "4", "-o", out, "-c", f"import os; os.chdir({str(elsewhere)!r})"],
               cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert leak(json.loads(out.read_text()), "bytearray")["sample"]["path"].startswith("store.ITEMS[")


def test_view_prints_the_saved_report(tmp_path):
    report, proc = hunt(tmp_path, "--call", "closure_leak:handle", "--repeat", "3")
    shown = run(["view", tmp_path / "leaks.json"])
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == proc.stdout


@pytest.mark.parametrize("suffix", ["dot", "svg", "png"])
def test_graph_of_the_chains(tmp_path, suffix):
    graph = tmp_path / f"chains.{suffix}"
    proc = run(["leaks", "--call", "closure_leak:handle", "--repeat", "3", "--graph", graph], cwd=LEAKS)
    assert proc.returncode == 0, proc.stderr
    dot = tmp_path / "chains.dot"
    text = dot.read_text()
    assert text.startswith("digraph ObjectGraph {") and '[label=".cell_contents",weight=10]' in text
    import subprocess
    assert subprocess.run(["dot", "-Tsvg", "-o", tmp_path / "check.svg", dot]).returncode == 0
    if suffix == "png":
        assert graph.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    if suffix == "svg":
        assert "<svg" in graph.read_text()


def test_graph_without_graphviz_keeps_the_dot_file(tmp_path):
    graph = tmp_path / "chains.svg"
    proc = run(["leaks", "--call", "closure_leak:handle", "--repeat", "3", "--graph", graph], cwd=LEAKS,
               env={"PATH": str(tmp_path / "no-programs-here")})
    assert proc.returncode == 0, proc.stderr
    dot = tmp_path / "chains.dot"
    assert f"Graphviz's dot is not installed: kept {dot}; render it with: dot -Tsvg -o{graph} {dot}" in proc.stderr
    assert dot.read_text().startswith("digraph ObjectGraph {") and not graph.exists()


def test_function_that_raises_keeps_what_was_measured(tmp_path):
    script = tmp_path / "flaky.py"
    script.write_text("KEPT = []\ncalls = 0\n\ndef handle():\n    global calls\n    calls += 1\n"
                      "    KEPT.append(object())\n    if calls == 5:\n        raise ValueError('boom')\n")
    out = tmp_path / "r.json"
    proc = run(["leaks", "-o", out, "--call", "flaky:handle", "--repeat", "10"], cwd=tmp_path)
    assert proc.returncode == 1
    assert "ValueError: boom" in proc.stderr
    report = json.loads(out.read_text())
    assert "raised ValueError: boom" in report["problem"]
    assert leak(report, "object")["countGrowth"] == 1  # censuses after calls 1-3 were kept


@pytest.mark.parametrize("args,message", [
    (["--call", "nocolon"], "--call needs module:function or file.py:function, got 'nocolon'"),
    (["--call", "no_such_file.py:handle"], "--call: no such file 'no_such_file.py'"),
    (["--call", "sub/dir/missing.py:handle"], "--call: no such file 'sub/dir/missing.py'"),
    (["--call", "clean.py:missing"], "'clean.py' has no 'missing'"),
    (["--call", "clean.py:"], "--call needs module:function or file.py:function"),
    (["--call", "no_such_module_here:f"], "cannot import 'no_such_module_here'"),
    (["--call", "clean:missing"], "'clean' has no 'missing'"),
    (["--call", "clean:handle", "--repeat", "2"], "--repeat must be at least 3"),
    (["--interval", "0", "clean.py"], "--interval must be a positive number"),
    (["missing_script.py"], "can't open file 'missing_script.py'"),
    (["--graph", "out.txt", "clean.py"], "--graph must end in"),
    (["-o", "/nonexistent/dir/x.json", "clean.py"], "cannot write '/nonexistent/dir/x.json'"),
    ([], "no program given"),
])
def test_bad_input_is_one_line(args, message):
    proc = run(["leaks", *args], cwd=LEAKS)
    assert proc.returncode != 0
    assert message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_program_that_fails_still_gets_its_report(tmp_path):
    script = tmp_path / "crashes.py"
    script.write_text("import time\nKEPT = []\nfor n in range(400):\n    KEPT.append(object())\n    time.sleep(0.005)\n"
                      "raise RuntimeError('late failure')\n")
    out = tmp_path / "r.json"
    proc = run(["leaks", "--interval", "0.2", "-o", out, script], cwd=tmp_path)
    assert proc.returncode == 1 and "RuntimeError: late failure" in proc.stderr
    report = json.loads(out.read_text())
    assert len(report["points"]) >= 3
    assert leak(report, "object")["sample"]["path"].startswith("__main__.KEPT[")
