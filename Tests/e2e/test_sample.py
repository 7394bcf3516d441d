"""pyrometer sample on programs with known answers (Tests/Fixtures/sample/):
where CPU time goes, how stacks nest, which line each kind of frame is charged
to, what the modes see and leave out, the counters, the report at SIGTERM, bad
input, and the same answer as line_profiler's. No timing is asserted: shares
of samples are, with enough samples for the tolerance."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys

import pytest

from conftest import FIXTURES, ended_by_signal, line_of, run, run_python

SAMPLE = FIXTURES / "sample"


def sampled(tmp_path, *args, expect_status=0):
    out = tmp_path / "sample.json"
    proc = run(["sample", "-o", out, *args])
    assert proc.returncode == expect_status, proc.stderr
    return json.loads(out.read_text()), proc


def innermost(profile, stack):
    return profile["frames"][stack["frames"][-1]]


def own_samples(profile, function):
    return sum(s["samples"] for s in profile["stacks"] if innermost(profile, s)["function"] == function)


def line_samples(profile, file, line):
    return sum(s["samples"] for s in profile["stacks"]
               if innermost(profile, s)["line"] == line and innermost(profile, s)["file"] == str(file))


def total_samples(profile):
    return sum(s["samples"] for s in profile["stacks"])


def test_cpu_split_70_30(tmp_path):
    """heavy and light share CPU 70/30: each within 3 points, over thousands of samples."""
    profile, proc = sampled(tmp_path, "--rate", "4000", SAMPLE / "split_70_30.py")
    heavy, light = own_samples(profile, "heavy"), own_samples(profile, "light")
    assert heavy + light >= 2000, proc.stdout
    share = 100 * heavy / (heavy + light)
    assert 67 <= share <= 73, proc.stdout
    assert profile["samplesTaken"] == total_samples(profile)
    # The summary's table says the same.
    assert re.search(r"^\s*[\d,]+\s+[\d.]+%\s+[\d,]+\s+[\d.]+%\s+heavy\s+split_70_30.py:7$", proc.stdout, re.M), proc.stdout


def test_recursion_nests(tmp_path):
    """Every sample in spin sits under exactly DEPTH + 1 frames of down, under <module>."""
    profile, _ = sampled(tmp_path, "--rate", "2000", SAMPLE / "recursion.py")
    spins = [s for s in profile["stacks"] if innermost(profile, s)["function"] == "spin"]
    assert sum(s["samples"] for s in spins) >= 100
    for stack in spins:
        names = [profile["frames"][i]["function"] for i in stack["frames"]]
        assert names == ["<module>"] + ["down"] * 13 + ["spin"], names


def test_generator_coroutine_and_thread_lines(tmp_path):
    script = SAMPLE / "kinds.py"
    profile, _ = sampled(tmp_path, "--rate", "2000", script)
    threads = {t["name"]: i for i, t in enumerate(profile["threads"])}
    assert set(threads) >= {"MainThread", "worker"}, profile["threads"]
    for function, marker in [("squares", "generator-line"), ("accumulate", "coroutine-line"), ("worker", "thread-line")]:
        line = line_of(script, marker)
        charged = [s for s in profile["stacks"] if innermost(profile, s)["line"] == line]
        assert sum(s["samples"] for s in charged) >= 20, (function, line)
        assert {innermost(profile, s)["function"] for s in charged} == {function}
        expected_thread = threads["worker" if function == "worker" else "MainThread"]
        assert {s["thread"] for s in charged} == {expected_thread}


def test_wall_mode_sees_sleep_cpu_mode_does_not(tmp_path):
    script = SAMPLE / "sleeps.py"
    sleep_line = line_of(script, "sleep-line")
    wall, wall_proc = sampled(tmp_path, "--mode", "wall", script)
    assert wall["mode"] == "wall" and wall["idle"] is True
    share = line_samples(wall, script, sleep_line) / total_samples(wall)
    assert 0.3 <= share <= 0.7, wall_proc.stdout
    cpu, cpu_proc = sampled(tmp_path, script)
    assert cpu["mode"] == "cpu" and cpu["idle"] is False
    assert line_samples(cpu, script, sleep_line) <= 0.02 * total_samples(cpu), cpu_proc.stdout
    assert line_samples(cpu, script, line_of(script, "work-line")) >= 0.5 * total_samples(cpu)


def test_idle_keeps_the_sleep_in_cpu_mode_and_gil_mode_drops_it(tmp_path):
    script = SAMPLE / "sleeps.py"
    sleep_line = line_of(script, "sleep-line")
    idle, proc = sampled(tmp_path, "--idle", script)
    assert idle["mode"] == "cpu" and idle["idle"] is True
    assert 0.3 <= line_samples(idle, script, sleep_line) / total_samples(idle) <= 0.7, proc.stdout
    gil, proc = sampled(tmp_path, "--mode", "gil", "--idle", script)
    assert line_samples(gil, script, sleep_line) <= 0.02 * total_samples(gil), proc.stdout
    assert gil["samplesDropped"]["withoutGIL"] >= 0.2 * gil["samplesExpected"], proc.stdout


def test_gil_mode_drops_a_thread_that_let_the_gil_go(tmp_path):
    script = SAMPLE / "hashing.py"
    hash_line, spin_line = line_of(script, "hash-line"), line_of(script, "spin-line")
    cpu, cpu_proc = sampled(tmp_path, script)
    assert line_samples(cpu, script, hash_line) >= 0.2 * total_samples(cpu), cpu_proc.stdout
    gil, gil_proc = sampled(tmp_path, "--mode", "gil", script)
    assert gil["samplesDropped"]["withoutGIL"] >= 0.2 * gil["samplesExpected"], gil_proc.stdout
    assert line_samples(gil, script, hash_line) <= 0.05 * total_samples(gil), gil_proc.stdout
    assert own_samples(gil, "spin") >= 0.5 * total_samples(gil)
    assert line_samples(gil, script, spin_line) > 0


def test_samples_taken_against_expected_and_counters(tmp_path):
    profile, proc = sampled(tmp_path, SAMPLE / "split_70_30.py")
    assert profile["requestedRate"] == 1000
    assert 0 < profile["rate"] <= 1000
    assert 0.5 * profile["samplesExpected"] <= profile["samplesTaken"] <= 1.1 * profile["samplesExpected"], proc.stdout
    assert {"torn", "codeFreed", "bufferFull"} <= set(profile["samplesDropped"])
    assert all(v >= 0 for v in profile["samplesDropped"].values())
    assert re.search(r"^Samples: [\d,]+ taken of [\d,]+ expected \([\d.]+%\)", proc.stdout, re.M), proc.stdout
    assert re.search(r"^Dropped: [\d,]+ \(.*codeFreed \d+.*torn \d+", proc.stdout, re.M), proc.stdout


def test_freed_code_objects_neither_crash_nor_take_another_name(tmp_path):
    """Thousands of exec'd functions freed while sampled: the program ends well,
    and every frame named short_lived_R has that function's own lines."""
    profile, proc = sampled(tmp_path, "--rate", "5000", SAMPLE / "code_churn.py")
    assert "codeFreed" in profile["samplesDropped"]
    named = [f for f in profile["frames"] if f["function"].startswith("short_lived_")]
    assert len(named) >= 20, proc.stdout
    for frame in named:
        r = int(frame["function"].rsplit("_", 1)[1])
        assert frame["file"] == "<string>"
        assert frame["firstLine"] == r % 40 + 1, frame
        assert frame["firstLine"] <= frame["line"] <= frame["firstLine"] + 4, frame


def test_same_hottest_function_and_line_as_line_profiler(tmp_path):
    kernprof = shutil.which("kernprof", path=os.path.dirname(sys.executable))
    if kernprof is None:
        pytest.skip("line_profiler is not installed in the test environment")
    script = SAMPLE / "hot_spots.py"
    out = tmp_path / "hot.lprof"
    done = subprocess.run([kernprof, "-l", "-q", "-o", str(out), "-p", str(script), str(script)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    from line_profiler import load_stats
    stats = load_stats(str(out))
    functions = {name: sum(t for _, _, t in lines) for (_, _, name), lines in stats.timings.items()}
    lines = {(name, line): t for (_, _, name), entries in stats.timings.items() for line, _, t in entries}
    theirs_function = max(functions, key=functions.get)
    theirs_line = max(lines, key=lines.get)
    profile, _ = sampled(tmp_path, "--rate", "4000", script)
    ours = {}
    for stack in profile["stacks"]:
        frame = innermost(profile, stack)
        ours[(frame["function"], frame["line"])] = ours.get((frame["function"], frame["line"]), 0) + stack["samples"]
    by_function = {}
    for (function, _), samples in ours.items():
        by_function[function] = by_function.get(function, 0) + samples
    assert max(by_function, key=by_function.get) == theirs_function == "mix"
    assert max(ours, key=ours.get) == theirs_line == ("mix", line_of(script, "mix-hot"))


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP])
def test_report_and_output_survive_the_signal(signal_number, tmp_path):
    out = tmp_path / "out.json"
    status, stdout, stderr = ended_by_signal(signal_number, ["sample"], SAMPLE / "until_signal.py", out)
    assert status == 128 + signal_number, stderr
    assert "Samples:" in stdout and "Top functions" in stdout
    profile = json.loads(out.read_text())
    assert profile["format"] == "pyrometer.sample"
    assert own_samples(profile, "spin") >= 1


def test_view_renders_the_saved_summary(tmp_path):
    profile, proc = sampled(tmp_path, SAMPLE / "recursion.py")
    shown = run(["view", tmp_path / "sample.json"])
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == proc.stdout


def test_duration_stops_sampling_not_the_program(tmp_path):
    profile, proc = sampled(tmp_path, "--mode", "wall", "--duration", "0.2", SAMPLE / "sleeps.py")
    assert "work" in {f["function"] for f in profile["frames"]}
    assert "nap" not in {f["function"] for f in profile["frames"]}, proc.stdout


def test_main_thread_only(tmp_path):
    profile, _ = sampled(tmp_path, "--main-thread", SAMPLE / "kinds.py")
    assert [t["name"] for t in profile["threads"]] == ["MainThread"]
    assert "worker" not in {f["function"] for f in profile["frames"]}


@pytest.mark.parametrize("args, message", [
    (["--rate", "0"], "--rate must be a positive number"),
    (["--rate", "1e9"], "--rate must be at most 50000"),
    (["--rate", "many"], "--rate"),
    (["--mode", "fast"], "--mode must be one of cpu, wall, gil"),
    (["--duration", "-1"], "--duration must be a positive number"),
    (["--threads", "--main-thread"], "cannot be used together"),
    (["-o", "/proc/nope/x.json"], "/proc/nope/x.json"),
])
def test_bad_input_is_one_line(args, message, tmp_path):
    proc = run(["sample", *args, SAMPLE / "recursion.py"])
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pyrometer: error:") and message in lines[0], proc.stderr
    assert proc.stdout == ""


def test_missing_script_is_one_line():
    proc = run(["sample", "no_such_script.py"])
    assert proc.returncode != 0
    assert proc.stderr.strip() == "pyrometer: error: can't open file 'no_such_script.py': No such file or directory"


@pytest.mark.parametrize("change, problem", [
    (lambda p: p["stacks"][0].update(frames=[10**6]), "'stacks.0.frames.0' is 1000000; there are"),
    (lambda p: p["stacks"][0].update(thread=7), "'stacks.0.thread' is 7; there are"),
    (lambda p: p["stacks"][0].update(samples=-1), "negative"),
    (lambda p: p.update(samplesDropped={"torn": 2**62, "x": 2**62}), "'samplesDropped' add up to more than"),
    (lambda p: p.update(mode="fast"), "mode"),
])
def test_view_refuses_a_broken_file_in_one_line(change, problem, tmp_path):
    sampled(tmp_path, SAMPLE / "recursion.py")
    data = json.loads((tmp_path / "sample.json").read_text())
    change(data)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    proc = run(["view", broken])
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pyrometer: error:") and problem in lines[0], proc.stderr


def test_python_api(tmp_path):
    proc = run_python("""
        import json, pyrometer
        def spin(n):
            total = 0
            for i in range(n):
                total += i
            return total
        sampler = pyrometer.Sampler(rate=2000)
        with sampler:
            spin(2_000_000)
        first = sampler.result()
        sampler.start()
        spin(1_000_000)
        sampler.stop()
        second = sampler.result()
        print(json.dumps({"first": first.samplesTaken, "second": second.samplesTaken,
                          "top": second.functions()[0][:2], "line": second.lines()[0][1:3],
                          "mode": second.mode, "summary": second.summary(),
                          "format": second.to_dict()["format"], "running": sampler.running}))
        try:
            pyrometer.Sampler(mode="fast")
        except ValueError as error:
            print(error)
        try:
            pyrometer.Sampler(rate=0)
        except ValueError as error:
            print(error)
    """)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    data = json.loads(out[0])
    assert data["first"] >= 50 and data["second"] > data["first"]
    # The loop's lines (for, body): which of them gets more differs between versions.
    assert data["top"] == ["spin", "<string>"] and data["line"] in ([5, "spin"], [6, "spin"])
    assert data["mode"] == "cpu" and data["format"] == "pyrometer.sample" and data["running"] is False
    assert "Top functions" in data["summary"]
    assert out[1] == "mode must be one of cpu, wall, gil"
    assert out[2] == "rate must be a positive number of samples per second"


def test_psample_magics():
    proc = run_python(SAMPLE / "ipython_psample.py", timeout=300)
    assert proc.returncode == 0, proc.stderr
    printed = json.loads(proc.stdout.strip().splitlines()[-1])
    for key in ("line", "cell"):
        assert "Top functions" in printed[key]
        top = re.search(r"^\s*[\d,]+\s+[\d.]+%\s+[\d,]+\s+[\d.]+%\s+(\S+)", printed[key].split("Top functions")[1].split("\n", 2)[2], re.M)
        assert top and top.group(1) == "spin", printed[key]
    assert "pyrometer sample: cpu mode, 2000 Hz" in printed["line"]
    assert printed["mode"] == "gil" and printed["top"] == "spin"
    assert "UsageError" in printed["error"] and "mode must be one of cpu, wall, gil" in printed["error"]
    assert printed["after_unload"] is False


def test_a_followed_child_reports_its_own_samples(tmp_path):
    out = tmp_path / "forks.json"
    proc = run(["sample", "--follow-fork", "-o", out, SAMPLE / "forks.py"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    children = [p for p in tmp_path.glob("forks.*.json")]
    assert len(children) == 1
    parent, child = json.loads(out.read_text()), json.loads(children[0].read_text())
    assert own_samples(child, "spin") > own_samples(parent, "spin") > 0
    assert child["threads"][0]["id"] == int(children[0].name.split(".")[1])
    quiet = run(["sample", "-o", tmp_path / "alone.json", SAMPLE / "forks.py"], cwd=tmp_path)
    assert quiet.returncode == 0 and not list(tmp_path.glob("alone.*.json"))


def test_code_dying_under_its_own_frame_does_not_crash(tmp_path):
    for _ in range(3):
        profile, proc = sampled(tmp_path, "--rate", "10000", SAMPLE / "code_self_drop.py")
        for frame in profile["frames"]:
            if frame["function"] == "f":
                assert re.fullmatch(r"<f\d+>", frame["file"]) and frame["firstLine"] == 1 and 1 <= frame["line"] <= 6, frame


@pytest.mark.parametrize("mode", ["cpu", "wall", "gil"])
def test_threads_asyncio_generators_and_deep_stacks_at_10khz(mode, tmp_path):
    profile, proc = sampled(tmp_path, "--rate", "10000", "--mode", mode, SAMPLE / "busy_mix.py")
    assert proc.stdout.startswith("ok\n")
    assert profile["samplesTaken"] > 0 and len(profile["threads"]) >= 2
    deep = [s for s in profile["stacks"] if len(s["frames"]) == 129]
    assert sum(s["samples"] for s in deep) > 0  # deep(2000) runs in every mode
    for stack in profile["stacks"]:
        assert len(stack["frames"]) <= 129
        names = [profile["frames"][i]["function"] for i in stack["frames"]]
        if len(stack["frames"]) == 129:
            assert names[0] == "(deeper frames left out)" and names[-1] == "deep" and names.count("deep") >= 120
