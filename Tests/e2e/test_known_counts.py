"""Hit counts that are known exactly, on every supported Python."""
import pytest

from conftest import FIXTURES, hits, line_of, profile_of

KNOWN = FIXTURES / "known_counts.py"


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    """One run of the fixture program serves every test of this file."""
    result, _ = profile_of([KNOWN], tmp_path_factory.mktemp("known"))
    return result


def at(marker):
    return line_of(KNOWN, marker)


def test_fixed_trip_loops(profile):
    h = hits(profile, "fixed_loops")
    assert h[at("for-header")] == 1001
    assert h[at("for-body")] == 1000
    assert h[at("while-header")] == 251
    assert h[at("while-body")] == 250
    assert h[at("loops-return")] == 1


def test_recursion_counts_every_frame(profile):
    h = hits(profile, "fib")
    # fib(10) makes 177 calls: 89 reach the base case, 88 recurse.
    assert h[at("fib-test")] == 177
    assert h[at("fib-base")] == 89
    assert h[at("fib-recurse")] == 88


def test_methods(profile):
    h = hits(profile, "Vector.dot")
    assert h[at("dot-first")] == 7
    assert h[at("dot-return")] == 7


def test_generator_and_consumer(profile):
    gen = hits(profile, "countdown")  # countdown(5) and countdown(3)
    assert gen[at("gen-header")] == 6 + 4
    assert gen[at("gen-yield")] == 5 + 3
    assert gen[at("gen-step")] == 5 + 3
    consumer = hits(profile, "consume")
    assert consumer[at("consume-for")] == 6
    assert consumer[at("consume-body")] == 5


def test_generator_suspension_is_not_charged(profile):
    """While the generator is suspended its consumer sleeps 3 x 20 ms: that time
    belongs to the consumer's sleep line, none of it to the line that yielded."""
    def times(name):
        function = next(f for f in profile["functions"] if f["name"] == name)
        return {entry["line"]: entry["time"] for entry in function["lines"]}
    assert times("slow_consumer")[at("slow-sleep")] >= 3 * 20_000_000
    assert sum(times("countdown").values()) < 20_000_000


def test_closure(profile):
    assert hits(profile, "make_counter.<locals>.bump")[at("closure-body")] == 4


def test_exceptions(profile):
    r = hits(profile, "raises")
    assert r[at("raises-test")] == 5
    assert r[at("raises-raise")] == 2
    assert r[at("raises-return")] == 3
    c = hits(profile, "catches")
    assert c[at("catches-for")] == 6
    assert c[at("catches-call")] == 5
    assert c[at("catches-handler")] == 2


def test_coroutine(profile):
    h = hits(profile, "tick")
    assert h[at("coro-for")] == 4
    assert h[at("coro-await")] == 3


def test_generator_expression_is_its_own_code(profile):
    assert hits(profile, "outer")[at("outer-sum")] == 1


def test_profile_on_wrappers_and_classes(tmp_path):
    script = FIXTURES / "wrapped.py"
    profile, _ = profile_of([script], tmp_path)
    assert hits(profile, "cached_square") == {line_of(script, "cached-body"): 3}
    assert hits(profile, "Shape.__init__") == {line_of(script, "shape-init"): 4}
    assert hits(profile, "Shape.area") == {line_of(script, "shape-area"): 4}
