"""The objgraph-compatible functions of the `pyrometer` package (python/pyrometer/
_census.py) in plain Python, checked against objgraph 3.7.0 and guppy3 3.1.7 in the
same process, and against planted objects whose numbers are known.

Each test runs a small program with the test virtualenv's Python, the package on
PYTHONPATH and the native engine named by $PYROMETER_NATIVE (the lib_pyrometer.so
next to $PYROMETER_BIN); the program prints its findings as JSON on its last line.
Tests/Fixtures/census holds the module the chain tests import.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, pyrometer_bin, python_version

CENSUS = FIXTURES / "census"


def plain_python(*parts, env=None, cwd=None, timeout=180):
    """Runs the program made of `parts` (each dedented) in plain Python."""
    native = Path(pyrometer_bin()).parent / "lib_pyrometer.so"
    full_env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "python"), str(CENSUS)]),
                    PYROMETER_NATIVE=str(native))
    full_env.update(env or {})
    code = "\n".join(textwrap.dedent(part) for part in parts)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=timeout)


def result_of(*parts, **kwargs):
    """Runs the program in plain Python; returns the JSON it printed on its last line."""
    proc = plain_python(*parts, **kwargs)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return json.loads(proc.stdout.splitlines()[-1])


# Defines counted(want): for {type name: [ids]}, whether the census counts each
# object (after a full collection).
COUNTED = """
import gc, pyrometer
def counted(want):
    for _ in range(3):
        gc.collect()
    found = {}
    for name, ids in want.items():
        listed = {id(o) for o in pyrometer.by_type(name)}
        found[name] = [i in listed for i in ids]
    return found
"""


# Defines printed(function, *args, **kwargs): what the function wrote to `file`.
PRINTED = """
import io
def printed(function, *args, **kwargs):
    out = io.StringIO()
    function(*args, file=out, **kwargs)
    return out.getvalue()
"""


# ---- 1. the same numbers and printed tables as objgraph ---------------------------------------------

def test_typestats_tracked_only_is_objgraphs_typestats():
    result = result_of("""
        import gc, json, objgraph, pyrometer
        class Planted:
            pass
        keep = [Planted() for _ in range(3000)]
        for _ in range(3):
            gc.collect()
        short = [pyrometer.typestats(tracked_only=True), objgraph.typestats()]
        long = [objgraph.typestats(shortnames=False), pyrometer.typestats(shortnames=False, tracked_only=True)]
        print(json.dumps([short, long]))
    """)
    (mine, theirs), (theirs_long, mine_long) = result
    assert mine == theirs
    assert mine_long == theirs_long
    assert mine["Planted"] == 3000 and mine_long["__main__.Planted"] == 3000
    assert "str" not in mine and "int" not in mine  # never tracked


def test_printed_tables_on_the_same_objects_are_objgraphs():
    result = result_of(PRINTED, """
        import gc, json, objgraph, pyrometer
        class Planted:
            pass
        keep = [Planted() for _ in range(2500)]
        gc.collect()
        objs = gc.get_objects()
        out = {}
        for label, kwargs in [("top10", {}), ("all", {"limit": None}), ("long", {"limit": 15, "shortnames": False}),
                              ("filter", {"filter": lambda o: type(o).__name__.startswith("Plan")})]:
            out[label] = [printed(pyrometer.show_most_common_types, objects=objs, **kwargs),
                          printed(objgraph.show_most_common_types, objects=objs, **kwargs)]
        out["typestats_long"] = [pyrometer.typestats(objs, shortnames=False), objgraph.typestats(objs, shortnames=False)]
        out["most_common"] = [pyrometer.most_common_types(None, objs), objgraph.most_common_types(None, objs)]
        for name in ["Planted", "__main__.Planted", "dict", "builtins.dict", "function", "NoSuchType"]:
            out["count " + name] = [pyrometer.count(name, objs), objgraph.count(name, objs)]
            out["by_type " + name] = [[id(o) for o in pyrometer.by_type(name, objs)],
                                      [id(o) for o in objgraph.by_type(name, objs)]]
        print(json.dumps(out))
    """)
    for label, (mine, theirs) in result.items():
        assert mine == theirs, label
    assert result["count Planted"][0] == result["count __main__.Planted"][0] == 2500
    assert result["count NoSuchType"][0] == 0
    assert re.fullmatch(r"Planted +2500\n", result["filter"][0])
    assert len(result["top10"][0].splitlines()) == 10


def test_show_growth_with_fresh_peak_stats_is_objgraphs():
    result = result_of(PRINTED, """
        import gc, json, objgraph, pyrometer
        class Grown:
            pass
        for _ in range(3):
            gc.collect()
        mine_peak, their_peak = {}, {}
        first = [printed(pyrometer.show_growth, peak_stats=mine_peak, tracked_only=True),
                 printed(objgraph.show_growth, peak_stats=their_peak)]
        keep = [Grown() for _ in range(4000)]
        lists = [[i] for i in range(3000)]
        second = [printed(pyrometer.show_growth, limit=2, peak_stats=mine_peak, tracked_only=True),
                  printed(objgraph.show_growth, limit=2, peak_stats=their_peak)]
        third = [printed(pyrometer.show_growth, peak_stats=mine_peak, tracked_only=True),
                 printed(objgraph.show_growth, peak_stats=their_peak)]
        print(json.dumps([first, second, third]))
    """)
    first, second, third = result
    assert first[0] == first[1] and len(first[0].splitlines()) == 10
    assert second[0] == second[1]
    grown, lists = second[0].splitlines()
    assert re.fullmatch(r"Grown +4000 +\+4000", grown)
    assert re.fullmatch(r"list +\d+ +\+300[0-9]", lists)
    assert third[0] == third[1]


def test_get_new_ids_is_objgraphs():
    result = result_of("""
        import gc, io, json, objgraph, pyrometer
        class Fresh:
            pass
        mine_state, their_state = {}, {}
        for _ in range(3):
            gc.collect()
        pyrometer.get_new_ids(limit=0, tracked_only=True, _state=mine_state)
        objgraph.get_new_ids(limit=0, _state=their_state)
        keep = [Fresh() for _ in range(5000)]
        ids = {id(o) for o in keep}
        mine, theirs = io.StringIO(), io.StringIO()
        mine_new = pyrometer.get_new_ids(limit=1, file=mine, tracked_only=True, _state=mine_state)
        their_new = objgraph.get_new_ids(limit=1, file=theirs, _state=their_state)
        again = pyrometer.get_new_ids(skip_update=True, _state=mine_state)
        print(json.dumps([mine.getvalue(), theirs.getvalue(), mine_new["Fresh"] == ids, their_new["Fresh"] == ids,
                          again is mine_new]))
    """)
    mine, theirs, mine_ids_right, their_ids_right, same_dict = result
    assert mine == theirs
    rule = "=" * (len("Fresh") + 13 * 4)
    assert mine.splitlines() == [rule, "Type " + "%13s%13s%13s%13s" % ("Old_ids", "Current_ids", "New_ids", "Count_Deltas"),
                                 rule, "Fresh%13d%13d%+13d%+13d" % (0, 5000, 5000, 5000), rule]
    assert mine_ids_right and their_ids_right and same_dict


def test_get_new_ids_does_not_count_its_own_bookkeeping():
    """With nothing allocated between calls, the 2nd and 3rd calls find no new
    object (the ids of the previous call are not counted); then 100 planted
    objects and their list are exactly what is new. Sequential calls, no loop
    and no generator around a call: an iterator or a generator's function
    alive during the call would be a new object."""
    result = result_of("""
        import gc, io, json, pyrometer
        class Planted:
            pass
        gc.collect()
        pyrometer.get_new_ids(limit=0)
        second = pyrometer.get_new_ids(limit=0)
        second = sum(len(ids) for ids in second.values())
        third = pyrometer.get_new_ids(limit=0)
        third = sum(len(ids) for ids in third.values())
        planted = [Planted() for _ in range(100)]
        new = pyrometer.get_new_ids(limit=0)
        found = {name: len(ids) for name, ids in new.items() if ids}
        exact = [new["Planted"] == {id(o) for o in planted}, new["list"] == {id(planted)}]
        print(json.dumps([second, third, found, exact]))
    """)
    second, third, found, exact = result
    assert (second, third) == (0, 0)
    assert found == {"Planted": 100, "list": 1}
    assert exact == [True, True]


def test_count_without_objects_is_objgraphs_but_for_its_own_closure():
    """count(name, tracked_only=True) sees what objgraph.count(name) sees, except
    objgraph's own call: objgraph.count has a cell (typename, which its generator
    expression closes over) alive when it calls gc.get_objects()."""
    result = result_of("""
        import gc, json, objgraph, pyrometer
        for _ in range(3):
            gc.collect()
        names = sorted(objgraph.typestats())
        mine, theirs = {}, {}
        for name in names:
            mine[name] = pyrometer.count(name, tracked_only=True)
            theirs[name] = objgraph.count(name)
        print(json.dumps([mine, theirs]))
    """)
    mine, theirs = result
    differences = {name: mine[name] - theirs[name] for name in mine if mine[name] != theirs[name]}
    assert differences == {"cell": -1}


# ---- 2. complete counts, with planted objects -------------------------------------------------------

PLANT = """
import gc, json, sys, pyrometer
class Planted:
    pass
N = 50_000
# Every global name this program will use, bound now: the module's dict then keeps
# its size, and only the planted objects change the census.
dicts = strs = insts = tup = before_census = before_tracked = after_tracked = after_typestats = None
after_census = snapshots = sizes = peaks = growth = h = heap = None
def collect():
    for _ in range(3):
        gc.collect()
def plant():
    global dicts, strs, insts, tup
    dicts = [{'a': i} for i in range(10**6, 10**6 + N)]     # untracked dicts, N new ints
    strs = ["planted-%d" % i for i in range(20_000)]        # 20_000 new str
    insts = [Planted() for _ in range(10_000)]              # no __dict__ made
    tup = tuple(range(2 * 10**6, 2 * 10**6 + 1000))         # untracked after a collection, 1000 new ints
"""


def test_planted_objects_grow_complete_counts_exactly():
    result = result_of(PLANT, """
        collect()
        # Snapshots kept as one str each: holding them adds no int, tuple or dict.
        before_census = json.dumps(pyrometer.census())
        before_tracked = json.dumps(pyrometer.typestats(tracked_only=True))
        plant()
        collect()
        after_tracked = json.dumps(pyrometer.typestats(tracked_only=True))
        after_typestats = json.dumps(pyrometer.typestats())
        after_census = pyrometer.census()
        snapshots = [before_census, before_tracked, after_tracked, after_typestats]
        sizes = {"dict": sum(map(sys.getsizeof, dicts)), "str": sum(map(sys.getsizeof, strs + snapshots)),
                 "Planted": sum(map(sys.getsizeof, insts)),
                 "int": sum(sys.getsizeof(d['a']) for d in dicts) + sum(map(sys.getsizeof, tup)),
                 "tuple": sys.getsizeof(tup), "list": sum(map(sys.getsizeof, (dicts, strs, insts)))}
        peaks = {name: count for name, (count, _) in json.loads(before_census).items()}
        growth = pyrometer.growth(limit=4, peak_stats=peaks)
        print(json.dumps([json.loads(before_census), after_census, json.loads(before_tracked),
                          json.loads(after_tracked), json.loads(after_typestats), sizes, growth,
                          [gc.is_tracked(dicts[0]), gc.is_tracked(tup)]]))
    """)
    before, after, before_tracked, after_tracked, after_typestats, sizes, growth, tracked = result
    assert tracked == [False, False]

    def grew(old, new):
        return {name: new.get(name, 0) - old.get(name, 0) for name in set(old) | set(new)
                if new.get(name, 0) != old.get(name, 0)}

    counts_before = {name: count for name, (count, _) in before.items()}
    counts_after = {name: count for name, (count, _) in after.items()}
    # str: 20_000 planted and 4 snapshots; list: dicts, strs, insts.
    assert grew(counts_before, counts_after) == {"dict": 50_000, "int": 51_000, "str": 20_004, "Planted": 10_000,
                                                 "tuple": 1, "list": 3}
    bytes_before = {name: size for name, (_, size) in before.items()}
    bytes_after = {name: size for name, (_, size) in after.items()}
    assert grew(bytes_before, bytes_after) == sizes
    # The planted dicts are untracked: objgraph's numbers do not see them.
    assert grew(before_tracked, after_tracked) == {"Planted": 10_000, "list": 3}
    # typestats() and census() count alike (census() saw one more str: typestats' snapshot).
    assert grew(after_typestats, counts_after) == {"str": 1}
    names = [name for name, _, _ in growth]
    assert names == ["int", "dict", "str", "Planted"]
    assert growth[3] == ["Planted", counts_after["Planted"], 10_000]


def test_objects_only_a_code_object_holds_are_counted():
    """Code objects are not GC types: their constants, names and tables (bytes) are
    reachable only through them."""
    result = result_of(COUNTED, """
        import gc, json, pyrometer
        source = "def planted():\\n    return ('%s', %d, %r, (1.5, 'inner-%s'))\\n" % ("const-" * 3, 12345678901234, 7.25e300, "x" * 9)
        namespace = {}
        exec(compile(source, "<planted>", "exec"), namespace)
        code = namespace["planted"].__code__
        const = code.co_consts[-1]
        want = {"bytes": [id(code.co_linetable)], "str": [id(const[0]), id(const[3][1])],
                "int": [id(const[1])], "float": [id(const[2])], "tuple": [id(const), id(const[3])]}
        del code, const, source
        print(json.dumps(counted(want)))
    """)
    assert result == {"bytes": [True], "str": [True, True], "int": [True], "float": [True], "tuple": [True, True]}


def test_materialised_instance_dicts_are_counted():
    """An instance's __dict__, once asked for, is a dict of its own (on 3.13 it still
    shares the values stored in the instance): one more dict per instance."""
    result = result_of("""
        import gc, json, pyrometer
        class Planted:
            pass
        insts = [Planted() for _ in range(1000)]
        for i, p in enumerate(insts):
            p.x = i + 10**6
        del p
        for _ in range(3):
            gc.collect()
        before = pyrometer.count("dict")
        for p in insts:
            p.__dict__
        del p
        for _ in range(3):
            gc.collect()
        print(json.dumps([pyrometer.count("dict") - before, sum(gc.is_tracked(p.__dict__) for p in insts)]))
    """)
    assert result == [1000, 0]


def test_objects_only_a_type_holds_are_counted():
    result = result_of(COUNTED, """
        import gc, json, pyrometer
        name = "".join(["Dynamic", "Census", "Class"])
        Dynamic = type(name, (), {})
        want = {"tuple": [id(int.__mro__), id(int.__bases__), id(OSError.__mro__)], "str": [id(Dynamic.__name__)]}
        del name
        print(json.dumps(counted(want)))
    """)
    assert result == {"tuple": [True, True, True], "str": [True]}


def test_frame_object_of_a_running_function_is_counted():
    result = result_of("""
        import json, sys, pyrometer
        def running():
            made = id(sys._getframe())
            return made in {id(o) for o in pyrometer.by_type("frame")}
        print(json.dumps(running()))
    """)
    assert result is True


def test_at_and_at_addrs_find_untracked_objects():
    result = result_of("""
        import json, objgraph, pyrometer
        text = "".join(["untracked", "-", "string"])
        small = {"a": 10**7}
        numbers = (10**8, 2.5)
        print(json.dumps([pyrometer.at(id(text)) is text, pyrometer.at(id(small)) is small,
                          pyrometer.at(id(numbers[0])) is numbers[0],
                          sorted(map(id, pyrometer.at_addrs({id(text), id(small), id(numbers)}))) == sorted(map(id, (text, small, numbers))),
                          objgraph.at(id(text)) is None, objgraph.at(id(small)) is None]))
    """)
    assert result == [True] * 6


def test_show_census_lists_the_most_numerous_types():
    result = result_of(PLANT, """
        import io
        plant()
        collect()
        out = io.StringIO()
        pyrometer.show_census(limit=4, file=out)
        print(json.dumps(out.getvalue()))
    """)
    lines = result.splitlines()
    assert len(lines) == 4
    rows = [re.fullmatch(r"(\w+) +(\d+) +(\d+)", line) for line in lines]
    assert all(rows), lines
    assert len({len(line) for line in lines}) == 1  # aligned
    counts = [int(row.group(2)) for row in rows]
    assert counts == sorted(counts, reverse=True)
    assert {"dict", "int", "str"} <= {row.group(1) for row in rows}


# ---- 3. against guppy3 ------------------------------------------------------------------------------

def test_guppy_sees_the_same_growth():
    """Planted objects and the instance dicts guppy makes for the planted instances:
    guppy's heap and pyrometer's census grow by the same objects and bytes."""
    result = result_of(PLANT, """
        from guppy import hpy
        h = hpy()
        def guppy_stats():
            heap = h.heap()
            kinds = heap.bytype
            stats = {"total": [heap.count, heap.size]}
            for i in range(len(kinds)):
                stats[kinds[i].kind.arg.__name__] = [kinds[i].count, kinds[i].size]
            return json.dumps(stats)
        def census_stats():
            census = pyrometer.census()
            stats = {"total": [sum(c for c, _ in census.values()), sum(b for _, b in census.values())]}
            stats.update({name: list(value) for name, value in census.items()})
            return json.dumps(stats)
        h.heap()
        collect()
        guppy_before = guppy_stats()
        collect()
        census_before = census_stats()
        plant()
        collect()
        guppy_after = guppy_stats()  # makes each new instance's __dict__
        collect()
        census_after = census_stats()
        print(json.dumps([guppy_before, guppy_after, census_before, census_after]))
    """)
    guppy_before, guppy_after, census_before, census_after = map(json.loads, result)

    def grew(before, after, name):
        old, new = before.get(name, [0, 0]), after.get(name, [0, 0])
        return [new[0] - old[0], new[1] - old[1]]

    for name in ["dict", "int", "Planted", "tuple", "list"]:
        assert grew(census_before, census_after, name) == grew(guppy_before, guppy_after, name), name
    assert grew(census_before, census_after, "dict")[0] == 60_000  # 50_000 planted, 10_000 instance dicts
    assert grew(census_before, census_after, "int")[0] == 51_000
    # str: the planted 20_000, and two JSON snapshots of the four (those taken before
    # each tool looked); the snapshots' lengths differ, so their bytes do too.
    assert grew(census_before, census_after, "str")[0] == grew(guppy_before, guppy_after, "str")[0] == 20_002
    guppy_total, census_total = grew(guppy_before, guppy_after, "total"), grew(census_before, census_after, "total")
    assert census_total[0] == guppy_total[0]
    assert abs(census_total[1] - guppy_total[1]) <= 0.01 * guppy_total[1]


@pytest.fixture(scope="module")
def guppy_and_census():
    """One heap, seen by guppy and by pyrometer: guppy's and the census's totals, the
    objects guppy sees that the census misses (by type), and the sizes both give to
    the objects both see."""
    return result_of(PLANT, """
        import array, collections
        from guppy import hpy
        plant()
        # A heap the size of a real program's (~800_000 objects): what the census
        # sees beyond guppy is a fixed ~4_600 objects (see the totals test).
        more = [{'b': i} for i in range(3 * 10**6, 3 * 10**6 + 300_000)]
        h = hpy()
        h.heap()  # the first call makes instance __dict__s; only the second is comparable
        collect()
        heap = h.heap()
        guppy_total = [heap.count, heap.size]
        del heap
        collect()
        census = pyrometer.census()
        census_total = [sum(c for c, _ in census.values()), sum(b for _, b in census.values())]
        del census
        heap = h.heap()
        seen = array.array("Q", map(id, heap.nodes))  # one object, not 190_000 ints
        del heap
        collect()
        both = pyrometer.at_addrs(set(seen))
        sizes = [h.idset(both).size, sum(map(sys.getsizeof, both))]
        missed_ids = set(seen) - set(map(id, both))
        del both
        heap = h.heap()
        # guppy's own frame of heap() is alive only while guppy looks.
        missed = collections.Counter(type(o).__name__ for o in heap.nodes if id(o) in missed_ids
                                     and not (type(o).__name__ == "frame" and "guppy" in o.f_code.co_filename))
        del heap
        print(json.dumps({"guppy": guppy_total, "census": census_total, "seen_by_guppy": len(seen),
                          "missed": dict(missed), "sizes": sizes}))
    """)


def test_guppy_and_census_give_each_object_the_same_size(guppy_and_census):
    guppy_bytes, getsizeof_bytes = guppy_and_census["sizes"]
    assert guppy_bytes == getsizeof_bytes
    assert guppy_bytes > 0.95 * guppy_and_census["guppy"][1], guppy_and_census


def test_census_counts_every_object_guppy_counts(guppy_and_census):
    assert guppy_and_census["missed"] == {}


def test_census_totals_against_guppy(guppy_and_census):
    """Totals in objects and bytes within 1% of guppy's.

    The census counts a fixed ~4_600 objects more than guppy (3.11-3.13), all of
    them alive: str held only as keys of str-keyed dicts (~1_800: CPython's dict
    tp_traverse, which guppy follows, skips such keys), guppy's own objects (~500
    and what they hold: guppy hides them), and what only the interpreter's static
    types hold (guppy starts from its roots, the census from every tracked
    object). On a heap of ~800_000 objects that is under 1%; every object guppy
    counts is counted too (test above)."""
    guppy_count, guppy_bytes = guppy_and_census["guppy"]
    census_count, census_bytes = guppy_and_census["census"]
    assert guppy_count > 750_000
    assert guppy_count <= census_count <= 1.01 * guppy_count, guppy_and_census
    assert guppy_bytes <= census_bytes <= 1.01 * guppy_bytes, guppy_and_census


# ---- 4. sizes -----------------------------------------------------------------------------------------

def test_census_bytes_are_the_sum_of_getsizeof():
    result = result_of("""
        import gc, json, sys, pyrometer
        class Planted:
            pass
        class Slotted:
            __slots__ = ("a", "b")
        N = 5000
        planted = [Planted() for _ in range(N)]
        for i, p in enumerate(planted[:100]):
            p.x = i
        slotted = [Slotted() for _ in range(N)]
        floats = [i + 0.5 for i in range(N)]
        blobs = [bytes(i % 300) for i in range(N)]
        bigints = [10 ** (i % 60) + i for i in range(N)]
        texts = ["t%d" % i * (i % 7 + 1) + "\\u00e9" * (i % 3) + "\\u4e00" * (i % 2) + "\\U0001f600" * (i % 5 == 0) for i in range(N)]
        sets = [{i, i + 1} for i in range(1000)]
        frozen = [frozenset((i,)) for i in range(1000)]
        arrays = [bytearray(i) for i in range(1000)]
        for _ in range(3):
            gc.collect()
        def check(name):
            objects = pyrometer.by_type(name)
            census = pyrometer.census()
            expected = [len(objects), sum(map(sys.getsizeof, objects))]
            if name == "list":  # `objects` itself
                expected = [expected[0] + 1, expected[1] + sys.getsizeof(objects)]
            if name == "dict":  # census()'s own result, still empty while it counts
                expected = [expected[0] + 1, expected[1] + sys.getsizeof({})]
            return [name, list(census[name]), expected]
        names = ["Planted", "Slotted", "float", "bytes", "int", "str", "set", "frozenset", "bytearray", "tuple",
                 "dict", "list", "type", "code", "function", "module", "cell", "builtin_function_or_method",
                 "ReferenceType", "method_descriptor", "wrapper_descriptor", "getset_descriptor", "ABCMeta"]
        print(json.dumps([check(name) for name in names]))
    """)
    for name, census, expected in result:
        assert census == expected, name


# ---- 5. chains ------------------------------------------------------------------------------------------

def test_chains_are_objgraphs():
    result = result_of("""
        import json, sys, types, objgraph, pyrometer
        import census_holder
        def names(chain):
            return [type(o).__name__ for o in chain]
        def run():
            obj = census_holder.REGISTRY["items"][0]
            theirs = objgraph.find_backref_chain(obj, objgraph.is_proper_module)
            mine = pyrometer.find_backref_chain(obj, pyrometer.is_proper_module)
            back = [names(mine), names(theirs), [id(o) for o in mine] == [id(o) for o in theirs],
                    mine[0] is census_holder, mine[1] is vars(census_holder), mine[2] is census_holder.REGISTRY]
            registry = census_holder.REGISTRY
            is_value = lambda o: isinstance(o, str) and o == "planted-value"
            is_key = lambda o: isinstance(o, str) and o == "planted-key"
            to_value = [names(pyrometer.find_ref_chain(registry, is_value)), names(objgraph.find_ref_chain(registry, is_value))]
            to_key = [names(pyrometer.find_ref_chain(registry, is_key, max_depth=3)),
                      names(objgraph.find_ref_chain(registry, is_key, max_depth=3))]
            none = [len(pyrometer.find_ref_chain(registry, lambda o: False, max_depth=3)),
                    len(pyrometer.find_backref_chain(obj, lambda o: False, max_depth=2))]
            return [back, to_value, to_key, none]
        proper = [[pyrometer.is_proper_module(o), objgraph.is_proper_module(o)]
                  for o in (sys, types.ModuleType("fresh"), [], census_holder)]
        print(json.dumps(run() + [proper]))
    """)
    back, to_value, to_key, none, proper = result
    assert back == [["module", "dict", "dict", "list", "Target"]] * 2 + [True] * 4
    assert to_value == [["dict", "dict", "str"]] * 2
    # A str key of a str-keyed dict: tp_traverse (objgraph's gc.get_referents) leaves it out.
    assert to_key == [["dict", "dict", "str"], ["dict"]]
    assert none == [1, 1]
    assert proper == [[True, True], [False, False], [False, False], [True, True]]


def test_backref_functions_leave_no_reference_behind():
    result = result_of("""
        import gc, io, json, sys, pyrometer
        import census_holder
        def run():
            obj = census_holder.REGISTRY["items"][0]
            counts = [sys.getrefcount(obj)]
            pyrometer.find_backref_chain(obj, pyrometer.is_proper_module)
            gc.collect()
            counts.append(sys.getrefcount(obj))
            pyrometer.show_backrefs(obj, output=io.StringIO())
            gc.collect()
            counts.append(sys.getrefcount(obj))
            holders = [type(r).__name__ for r in gc.get_referrers(obj) if r is not census_holder.REGISTRY["items"]]
            return [counts, holders]
        print(json.dumps(run()))
    """)
    counts, holders = result
    assert counts[1:] == [counts[0], counts[0]]
    assert holders == []


# ---- 6. graphs --------------------------------------------------------------------------------------------

# A structure without str-keyed dicts: lists, tuples, an instance with __slots__, an
# instance with a __dict__ (its values live in the instance); classes filtered out.
SHAPES = """
import io, json, objgraph, pyrometer
class Slotted:
    __slots__ = ("left", "right")
    def __init__(self, left, right):
        self.left, self.right = left, right
class Plain:
    def __init__(self):
        self.value = 12345678
        self.other = (7.5, b"bytes")
leaf = (6, "leaf-string")
inner = [5000005, leaf]
data = [1000001, (2000002, 3.5, "x-string"), [4000004, inner], Slotted(leaf, [9.25]), Plain(), list(range(100, 115))]
not_a_class = lambda o: not isinstance(o, type)
def drawn(module, objs, **kwargs):
    out = io.StringIO()
    module.show_refs(objs, output=out, **kwargs)
    return out.getvalue()
ids = {"leaf": id(leaf), "inner": id(inner), "deep": id(inner[0]), "tuple": id(data[1]), "range_list": id(data[5]),
       "data": id(data), "sublist": id(data[2])}
"""

REFS_OPTIONS = {
    "plain": dict(max_depth=4, filter="not_a_class"),
    "max_depth": dict(max_depth=1),
    "too_many": dict(max_depth=2, too_many=4, filter="not_a_class"),
    "highlight": dict(max_depth=3, filter="not_a_class", highlight="lambda o: isinstance(o, tuple)"),
    "extra_info": dict(max_depth=3, filter="not_a_class", extra_info="lambda o: 'INFO-' + type(o).__name__.upper()"),
    "extra_node_attrs": dict(max_depth=3, filter="not_a_class",
                             extra_node_attrs="lambda o: {'URL': 'http://x/\"%d\"' % len(o) if hasattr(o, '__len__') else None, 'tooltip': 'T'}"),
    "refcounts": dict(max_depth=3, filter="not_a_class", refcounts="True"),
    "shortnames": dict(max_depth=3, filter="not_a_class", shortnames="False"),
    "extra_ignore": dict(max_depth=3, filter="not_a_class", extra_ignore="[id(inner)]"),
    "two_starts": dict(max_depth=2, filter="not_a_class"),
}


@pytest.fixture(scope="module")
def refs_drawings():
    calls = []
    for name, options in REFS_OPTIONS.items():
        kwargs = ", ".join("%s=%s" % (key, value) for key, value in options.items())
        objs = "[data, leaf]" if name == "two_starts" else "data"
        calls.append('out[%r] = [drawn(objgraph, %s, %s), drawn(pyrometer, %s, %s)]' % (name, objs, kwargs, objs, kwargs))
    return result_of(SHAPES, "out = {}\n" + "\n".join(calls) + "\nprint(json.dumps([out, ids]))\n")


def node(ids, name):
    return "o%d" % ids[name]


@pytest.mark.parametrize("option", [
    *REFS_OPTIONS])
def test_show_refs_writes_objgraphs_dot(refs_drawings, option):
    drawings, ids = refs_drawings
    theirs, mine = drawings[option]
    assert mine == theirs
    lines = mine.splitlines()
    assert lines[:2] == ["digraph ObjectGraph {", "  node[shape=box, style=filled, fillcolor=white];"]
    assert lines[-1] == "}"
    if option == "max_depth":
        assert '  %s[label="list\\n2 items"];' % node(ids, "inner") in lines
        assert not any(node(ids, "deep") in line for line in lines)  # only inner holds it
    if option == "too_many":
        too_many = "too_many_" + node(ids, "range_list")
        assert "  %s->%s[color=red,style=dotted,len=0.25,weight=10];" % (node(ids, "range_list"), too_many) in lines
        assert any(line.startswith('  %s[label="11 more references",shape=box' % too_many) for line in lines)
    if option == "highlight":
        assert any(re.fullmatch(r'  %s\[fillcolor="0\.6,0\.6,[0-9.]+"\];' % node(ids, "leaf"), line) for line in lines)
        assert '  %s[fillcolor="0,0,1"];' % node(ids, "sublist") in lines
    if option == "extra_info":
        assert '  %s[label="tuple\\n3 items\\nINFO-TUPLE"];' % node(ids, "tuple") in lines
    if option == "extra_node_attrs":
        assert '  %s[label="tuple\\n3 items", URL="http://x/\\"3\\"", tooltip="T"];' % node(ids, "tuple") in lines
    if option == "shortnames":
        assert '  %s[label="builtins.tuple\\n3 items"];' % node(ids, "tuple") in lines
    if option == "extra_ignore":
        assert not any(node(ids, "inner") in line for line in lines)
    if option == "two_starts":
        assert "  %s[fontcolor=red];" % node(ids, "data") in lines
        assert "  %s[fontcolor=red];" % node(ids, "leaf") in lines


def test_show_refs_of_a_str_keyed_dict_adds_the_keys():
    """pyrometer follows a dict's str keys too: every statement objgraph writes is
    there, plus a box and an arrow for each key."""
    result = result_of(SHAPES, """
        table = {"alpha": [1, 2], "beta": (3, 4)}
        keys = {key: id(key) for key in table}
        print(json.dumps([drawn(objgraph, table), drawn(pyrometer, table), id(table), keys]))
    """)
    theirs, mine, table, keys = result
    mine_lines, their_lines = mine.splitlines(), theirs.splitlines()
    assert [line for line in their_lines if line not in mine_lines] == []
    extra = [line for line in mine_lines if line not in their_lines]
    for key, key_id in keys.items():
        assert "  o%d -> o%d;" % (table, key_id) in extra
        assert '  o%d[label="str\\n\'%s\'"];' % (key_id, key) in extra
    assert len(extra) == 6  # per key: the arrow, the label, the colour


def test_show_backrefs_and_show_chain_write_objgraphs_dot():
    # No call passes the object in an argument tuple, and no closure captures it:
    # such a tuple or cell would be drawn as one more referrer.
    result = result_of("""
        import gc, io, json, objgraph, pyrometer
        import census_holder
        def backrefs(module, objs, max_depth, too_many=10, extra_ignore=()):
            out = io.StringIO()  # no **kwargs: on 3.11 that call packs objs in a tuple
            module.show_backrefs(objs, max_depth=max_depth, too_many=too_many, extra_ignore=extra_ignore, output=out)
            return out.getvalue()
        def chain(module, found, backrefs=True):
            out = io.StringIO()
            module.show_chain(found, output=out, backrefs=backrefs)
            return out.getvalue()
        is_target = lambda o: type(o) is census_holder.Target
        def run():
            obj = census_holder.REGISTRY["items"][0]
            ignore = [id(vars(census_holder))]
            theirs = [backrefs(objgraph, obj, max_depth=5),
                      backrefs(objgraph, [obj], max_depth=2, too_many=1, extra_ignore=ignore),
                      chain(objgraph, objgraph.find_backref_chain(obj, objgraph.is_proper_module)),
                      chain(objgraph, objgraph.find_ref_chain(census_holder, is_target), backrefs=False)]
            mine = [backrefs(pyrometer, obj, max_depth=5)]
            mine.append(backrefs(pyrometer, [obj], max_depth=2, too_many=1, extra_ignore=ignore))
            mine.append(chain(pyrometer, pyrometer.find_backref_chain(obj, pyrometer.is_proper_module)))
            mine.append(chain(pyrometer, pyrometer.find_ref_chain(census_holder, is_target), backrefs=False))
            return [theirs, mine, id(census_holder), id(obj)]
        print(json.dumps(run()))
    """)
    theirs, mine, module, target = result
    assert mine == theirs
    backrefs, _, chain, forward_chain = mine
    assert '  o%d[label="module\\ncensus_holder"];' % module in backrefs.splitlines()
    assert '  o%d[fillcolor="0.3,1,0.3"];' % module in chain.splitlines()
    assert "  o%d[fontcolor=red];" % target in chain.splitlines()
    assert "  o%d[fontcolor=red];" % module in forward_chain.splitlines()
    assert sum(1 for line in chain.splitlines() if "[label=" in line and "->" not in line) == 5


@pytest.fixture(scope="module")
def dot_program():
    path = shutil.which("dot")
    assert path, "Graphviz's dot is not installed (scripts/test installs Debian's graphviz)"
    return path


def test_graph_files_dot_png_svg(tmp_path, dot_program):
    proc = plain_python("""
        import objgraph, pyrometer
        import census_holder
        data = [[1, 2], (3, 4)]
        def run():
            obj = census_holder.REGISTRY["items"][0]
            objgraph.show_refs(data, filename="objgraph-refs.dot")
            objgraph.show_backrefs(obj, filename="objgraph-backrefs.dot")
            objgraph.show_chain(objgraph.find_backref_chain(obj, objgraph.is_proper_module), filename="objgraph-chain.dot")
            pyrometer.show_refs(data, filename="refs.dot")
            pyrometer.show_refs(data, filename="refs.png")
            pyrometer.show_backrefs(obj, filename="backrefs.svg")
            pyrometer.show_chain(pyrometer.find_backref_chain(obj, pyrometer.is_proper_module), filename="chain.svg")
        run()
    """, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "Graph written to objgraph-refs.dot (6 nodes)",
        "Graph written to objgraph-backrefs.dot (4 nodes)",
        "Graph written to objgraph-chain.dot (5 nodes)",
        "Graph written to refs.dot (6 nodes)",
        "Graph written to refs.dot (6 nodes)",
        "Image generated as refs.png",
        "Graph written to backrefs.dot (4 nodes)",
        "Image generated as backrefs.svg",
        "Graph written to chain.dot (5 nodes)",
        "Image generated as chain.svg",
    ]
    for name in ["refs", "backrefs", "chain"]:
        assert (tmp_path / (name + ".dot")).read_text() == (tmp_path / ("objgraph-%s.dot" % name)).read_text(), name
    assert (tmp_path / "refs.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    for svg in ["backrefs.svg", "chain.svg"]:
        root = ElementTree.parse(tmp_path / svg).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
    for dot in ["refs.dot", "backrefs.dot", "chain.dot"]:
        rendered = subprocess.run([dot_program, "-Tsvg", str(tmp_path / dot)], capture_output=True, text=True)
        assert rendered.returncode == 0, rendered.stderr
        assert "<svg" in rendered.stdout


def test_without_graphviz_the_dot_file_is_kept_with_how_to_render_it(tmp_path):
    proc = plain_python("""
        import pyrometer
        pyrometer.show_refs([[1, 2], (3, 4)], filename="refs.png")
    """, cwd=tmp_path, env={"PATH": str(tmp_path / "no-programs-here")})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "Graph written to refs.dot (6 nodes)",  # as objgraph draws it (test above)
        "Graphviz's dot is not installed: kept refs.dot; render it with: dot -Tpng -orefs.png refs.dot",
    ]
    assert (tmp_path / "refs.dot").read_text().startswith("digraph ObjectGraph {")
    assert not (tmp_path / "refs.png").exists()


def test_graph_to_output_and_filename_is_an_error():
    result = result_of("""
        import io, json, pyrometer
        try:
            pyrometer.show_refs([1], output=io.StringIO(), filename="x.dot")
        except ValueError as error:
            print(json.dumps(str(error)))
    """)
    assert result == "Cannot specify both output and filename."


# ---- 7. leaking objects -------------------------------------------------------------------------------------

def test_get_leaking_objects_finds_an_object_held_only_from_c():
    result = result_of("""
        import ctypes, gc, json, objgraph, pyrometer
        def leak():
            obj = ["held", "only", "by", "a", "leaked", "reference"]
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(obj))
            return id(obj)
        leaked = leak()
        for _ in range(3):
            gc.collect()
        def found(objects):
            # objgraph's own get_leaking_objects closure cell (3.11) is no object of the program.
            return sorted([type(o).__name__, id(o)] for o in objects if type(o).__name__ != "cell")
        mine = pyrometer.get_leaking_objects()
        kind = type(mine).__name__
        mine = found(mine)
        theirs = found(objgraph.get_leaking_objects())
        lists = [o for o in gc.get_objects() if type(o) is list]
        among = [[id(o) for o in pyrometer.get_leaking_objects(lists)], [id(o) for o in objgraph.get_leaking_objects(lists)]]
        del lists
        print(json.dumps([kind, mine, theirs, leaked, among]))
    """)
    kind, mine, theirs, leaked, (mine_among, theirs_among) = result
    assert kind == "list"
    assert ["list", leaked] in mine
    assert mine == theirs
    assert leaked in mine_among and mine_among == theirs_among


# ---- 8. without the native engine ----------------------------------------------------------------------------

def test_without_native_engine_the_census_says_how_to_get_one(tmp_path):
    package = tmp_path / "python" / "pyrometer"
    shutil.copytree(ROOT / "python" / "pyrometer", package, ignore=shutil.ignore_patterns("__pycache__"))
    proc = plain_python("""
        import json, pyrometer
        from pyrometer import _native
        def decorated():
            return 42
        outcome = [_native.load() is None, pyrometer.profile(decorated) is decorated]
        try:
            pyrometer.typestats()
        except RuntimeError as error:
            outcome.append(str(error))
        print(json.dumps(outcome))
    """, env={"PYTHONPATH": str(tmp_path / "python"), "PYROMETER_NATIVE": str(tmp_path / "missing" / "lib_pyrometer.so")})
    assert proc.returncode == 0, proc.stderr
    version = python_version()
    assert json.loads(proc.stdout.splitlines()[-1]) == [
        True, True,
        "pyrometer's native engine is not built for Python %s (run `swift build` with this Python, "
        "or set $PYROMETER_NATIVE)" % version]
