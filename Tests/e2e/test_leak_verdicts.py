"""Leak verdicts with known answers (Tests/Fixtures/verdicts): programs that grow
without leaking are not reported, slow leaks are, each with its evidence (slope,
confidence, censuses rising); warm-up and the noise floor do what they say."""

import pytest

from conftest import FIXTURES, leak_report, run

VERDICTS = FIXTURES / "verdicts"


def hunt(tmp_path, *args, status=0):
    return leak_report(tmp_path, args, VERDICTS, status)


def test_programs_that_grow_without_leaking_are_clean(tmp_path):
    # Caches warming up, a dict and a list resizing once, a bounded cache whose
    # strings gain a digit, free lists, cyclic garbage with a periodic gc.collect().
    report, proc = hunt(tmp_path, "--call", "all_clean:handle", "--repeat", "20", "--fail-on-leak")
    assert report["leaks"] == [], [(leak["type"], leak["counts"], leak["bytes"]) for leak in report["leaks"]]
    assert report["criteria"] == {"confidence": 0.95, "minObjects": 3, "minBytes": 128, "skippedCensuses": 4}
    assert "No leak: no type kept growing over 20 calls" in proc.stdout


def test_slow_leaks_are_found_with_their_evidence(tmp_path):
    report, proc = hunt(tmp_path, "--call", "both_slow:handle", "--repeat", "20", "--fail-on-leak", status=1)
    found = {leak["type"]: leak for leak in report["leaks"]}
    assert sorted(found) == ["slow_leak.Token", "str"]
    # One Token every 5th call: calls 5, 10, 15, 20 (the warm-up was call 1).
    token = found["slow_leak.Token"]
    assert token["countGrows"] and token["countGrowth"] == 0.2
    assert token["counts"][-1] - token["counts"][0] == 4
    # Censuses after calls 4-20 are judged: the count rose after calls 5, 10 and 15.
    assert (token["risingSteps"], token["steps"]) == (3, 16)
    assert 0.95 <= token["confidence"] < 1
    assert token["sample"]["path"].startswith("slow_leak.KEPT[")
    # The log string: no new object, 8 more bytes every call.
    log = found["str"]
    assert not log["countGrows"] and log["bytesGrowth"] == 8
    assert (log["risingSteps"], log["steps"]) == (16, 16)
    assert "rising steadily over calls 4-20 at ≥95% confidence, by ≥3 objects or ≥128 bytes; 4 warm-up censuses left out" in proc.stdout
    table = proc.stdout.splitlines()
    row = table[table.index(next(line for line in table if line.startswith("  type"))) + 1].split()
    # An instance's size differs between Pythons: the bytes are the report's own.
    assert row == ["slow_leak.Token", "4", "+0.2", str(token["bytes"][-1]), f"{token['bytesGrowth']:+.1f}", "3/16", "99.9%"]


def test_the_noise_floor_is_the_users_to_raise(tmp_path):
    # Over the 16 judged calls: 0.2 Tokens a call is 3.2 objects (of 48 or 56
    # bytes each, by Python: 153.6 or 179.2 bytes); the log's 8 bytes a call, 128 bytes.
    report, _ = hunt(tmp_path, "--call", "both_slow:handle", "--repeat", "20", "--min-objects", "4", "--min-bytes", "129")
    # Under the floor in objects, the Tokens are still over it in bytes.
    assert [(leak["type"], leak["countGrows"]) for leak in report["leaks"]] == [("slow_leak.Token", False)]
    report, _ = hunt(tmp_path, "--call", "both_slow:handle", "--repeat", "20", "--min-objects", "4", "--min-bytes", "180")
    assert report["leaks"] == []
    assert report["criteria"]["minObjects"] == 4 and report["criteria"]["minBytes"] == 180


def test_a_warm_up_longer_than_the_run_needs_warmup_calls(tmp_path):
    # The caches fill for twelve calls: over ten calls they do grow steadily.
    report, _ = hunt(tmp_path, "--call", "warming_caches:handle", "--repeat", "10")
    assert {"re.Pattern", "_struct.Struct"} <= {leak["type"] for leak in report["leaks"]}
    # Twelve warm-up calls first, and the same ten calls are clean.
    report, _ = hunt(tmp_path, "--call", "warming_caches:handle", "--repeat", "10", "--warmup", "12")
    assert report["leaks"] == []


@pytest.mark.parametrize("args,message", [
    (["--confidence", "1.5"], "--confidence must be between 0.5 and 0.999"),
    (["--confidence", "nan"], "--confidence must be between 0.5 and 0.999"),
    (["--min-objects", "0"], "--min-objects must be at least 1"),
    (["--min-bytes=-5"], "--min-bytes must be at least 1"),
    (["--warmup=-1"], "--warmup cannot be negative"),
    # At 99%, five censuses are the fewest the trend test can judge: four calls.
    (["--confidence", "0.99", "--repeat", "3"], "--repeat must be at least 4"),
])
def test_bad_criteria_are_one_line(args, message):
    proc = run(["leaks", "--call", "slow_leak:handle", *args], cwd=VERDICTS)
    assert proc.returncode == 2
    assert message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
