"""coverage.py keeps working beside line timing (Tests/Fixtures/with_coverage.py)."""
from conftest import FIXTURES, last_json, line_of, python_version, run_python

SCRIPT = FIXTURES / "with_coverage.py"


def test_coverage_started_first_is_chained():
    """Started before the session, coverage's tracer is chained: coverage sees f's
    lines, and the session's hits are exact."""
    case = last_json(run_python(SCRIPT))["coverage_first"]
    assert case["hits"] == {str(line_of(SCRIPT, "f-total")): 1, str(line_of(SCRIPT, "f-for")): 101,
                            str(line_of(SCRIPT, "f-body")): 100, str(line_of(SCRIPT, "f-return")): 1}
    assert {line_of(SCRIPT, "f-for"), line_of(SCRIPT, "f-body")} <= set(case["covered"])
    assert case["notes"] is None


def test_coverage_started_second_keeps_working_and_is_reported():
    """Started after the session, coverage still sees g's lines; on 3.11, where its
    C tracer replaces pyrometer's, the report says timing stopped; on 3.12+ the hits
    are exact."""
    case = last_json(run_python(SCRIPT))["pyrometer_first"]
    assert {line_of(SCRIPT, "g-for"), line_of(SCRIPT, "g-body")} <= set(case["covered"])
    if python_version() == "3.11":
        assert len(case["notes"]) == 1 and "replaced pyrometer's trace function" in case["notes"][0]
    else:
        assert case["notes"] is None
        assert case["hits"][str(line_of(SCRIPT, "g-body"))] == 50
