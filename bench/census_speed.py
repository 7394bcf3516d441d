"""Speed of pyrometer's object census next to guppy3 and objgraph.

Three parts, in one process.

1. The first heap: a heap of 1,000,000 small dicts and 100,000 instances of a plain
class (about 2.3 million objects). Timed, interleaved over --repeat rounds, the
fastest of each counting: guppy3's `hpy().heap()` (complete: count and bytes),
`pyrometer.census()` (complete: count and bytes), `pyrometer.typestats()`
(complete: counts), objgraph's `typestats()` (counts of the objects the garbage
collector tracks only) and `gc.get_objects()`, the floor under any census.

guppy's first `heap()` is timed on its own, before the rounds: it materialises
the `__dict__` of every instance (100,000 more dicts) and does one-time set-up,
so it is much slower than later calls. The bar is against guppy's best, later
call: pyrometer.census() in at most a tenth of its time.

Then the retained size of the list of dicts: `pyrometer.retained(data)` (a
dominator tree over the whole heap) against guppy's `hpy().iso(data).domisize`.

Every call is preceded by an untimed gc.collect() (guppy's heap() collects by
itself; the others do not), so each tool counts the same live heap and no tool
pays for the garbage another one left.

2. Heaps of the shapes real programs have, one at a time (each freed before the
next is built): instances whose `__dict__` was materialised by `vars()`, a
`json.loads` document, instances of many small `__slots__` classes, numpy
arrays, and deep graphs (a linked list of `__slots__` nodes and a chain of nested
tuples, 100,000 deep). For each: `pyrometer.census()` against guppy's
`hpy().heap()` (after one untimed guppy call), fastest of --repeat rounds; the
bar is again a tenth of guppy's time. The object counts of both are printed:
both see untracked objects.

3. objgraph's object-returning functions, pyrometer's (which see untracked
objects too) next to objgraph's own, on a heap of 200,000 instances and their
dicts and lists (about 420,000 tracked objects, 900,000 in all); bar: at most
twice objgraph's time. Each tool's get_new_ids has its own state and runs last.
"""
import contextlib
import gc
import io
import json
import os
import tempfile
import sys
import time
from pathlib import Path

from benchlib import arguments

BAR = 0.10


class C:
    pass


def timed(call):
    """(seconds, result) of one call, after an untimed collection."""
    gc.collect()
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def totals(census):
    return sum(count for count, _ in census.values()), sum(size for _, size in census.values())


def guppy_by_type(heap):
    """guppy's heap as {short type name: (count, bytes)}, named as pyrometer names types."""
    rows = {}
    partition = heap.bytype
    for index in range(len(partition)):
        row = partition[index]
        type_ = row.kind.arg
        name = getattr(type_, "__name__", str(type_))
        count, size = rows.get(name, (0, 0))
        rows[name] = (count + row.count, size + row.size)
    return rows


def print_differences(pyrometer_census, guppy_census, limit=15):
    names = set(pyrometer_census) | set(guppy_census)
    rows = []
    for name in names:
        p_count, p_size = pyrometer_census.get(name, (0, 0))
        g_count, g_size = guppy_census.get(name, (0, 0))
        if (p_count, p_size) != (g_count, g_size):
            rows.append((name, p_count, g_count, p_size, g_size))
    rows.sort(key=lambda row: (abs(row[1] - row[2]), abs(row[3] - row[4])), reverse=True)
    print(f"per-type differences, pyrometer - guppy (largest {limit} of {len(rows)}):")
    print(f"  {'type':28} {'pyrometer':>10} {'guppy':>10} {'diff':>8} {'bytes diff':>12}")
    for name, p_count, g_count, p_size, g_size in rows[:limit]:
        print(f"  {name[:28]:28} {p_count:10d} {g_count:10d} {p_count - g_count:+8d} {p_size - g_size:+12d}")


def main():
    args = arguments()
    repo = Path(__file__).resolve().parent.parent
    os.environ["PYROMETER_NATIVE"] = str(Path(args.pyrometer).parent / "lib_pyrometer.so")
    sys.path.insert(0, str(repo / "python"))
    import guppy
    import objgraph
    import pyrometer

    version = "%d.%d.%d" % sys.version_info[:3]
    data = [{'a': i} for i in range(1_000_000)]
    objs = [C() for _ in range(100_000)]

    before, census = timed(pyrometer.census)
    before_objects, _ = totals(census)
    del census
    first, heap = timed(lambda: guppy.hpy().heap())
    first_objects = heap.count
    del heap

    tools = {
        "guppy hpy().heap()": lambda: guppy.hpy().heap(),
        "pyrometer census()": pyrometer.census,
        "pyrometer typestats()": pyrometer.typestats,
        "objgraph typestats()": objgraph.typestats,
        "gc.get_objects()": gc.get_objects,
    }
    best = {tool: float("inf") for tool in tools}
    found = {}
    for _ in range(args.repeat):
        for tool, call in tools.items():
            seconds, result = timed(call)
            best[tool] = min(best[tool], seconds)
            if tool.startswith("guppy"):
                found[tool] = (result.count, result.size)
            elif tool == "pyrometer census()":
                found[tool] = totals(result)
            elif tool.endswith("typestats()"):
                found[tool] = (sum(result.values()), None)
            else:
                found[tool] = (len(result), None)
            del result

    print(f"Python {version}: {len(data):,} dicts and {len(objs):,} instances; "
          f"best of {args.repeat} interleaved rounds (guppy's first call: one run)")
    print(f"{'tool':34} {'seconds':>9} {'objects':>9} {'bytes':>11}")
    print(f"{'guppy hpy().heap(), first call':34} {first:9.4f} {first_objects:9d}")
    for tool, seconds in best.items():
        objects, size = found[tool]
        print(f"{tool:34} {seconds:9.4f} {objects:9d} {size if size is not None else '':>11}")
    print(f"{'pyrometer census(), before guppy':34} {before:9.4f} {before_objects:9d}  (instances without __dict__)")

    ratio = best["pyrometer census()"] / best["guppy hpy().heap()"]
    ratio_first = best["pyrometer census()"] / first
    verdict = "PASS" if ratio <= BAR else "FAIL"
    print(f"pyrometer census / guppy best:  {ratio:.3f}x  (bar <= {BAR:.2f}x) {verdict}")
    print(f"pyrometer census / guppy first: {ratio_first:.3f}x")
    p_objects, p_size = found["pyrometer census()"]
    g_objects, g_size = found["guppy hpy().heap()"]
    count_gap, size_gap = p_objects / g_objects - 1, p_size / g_size - 1
    print(f"found: pyrometer {p_objects} objects, {p_size} bytes; guppy {g_objects} objects, {g_size} bytes "
          f"({count_gap:+.2%} objects, {size_gap:+.2%} bytes)")
    if abs(count_gap) > 0.01 or abs(size_gap) > 0.01:
        gc.collect()
        pyrometer_census = pyrometer.census()
        guppy_census = guppy_by_type(guppy.hpy().heap())
        print_differences(pyrometer_census, guppy_census)
    print(f"RATIO {version} census pyrometer/guppy={ratio:.3f} pyrometer/guppy_first={ratio_first:.3f} {verdict}")
    retained_sizes(args.repeat, data, guppy, pyrometer, version)
    del data, objs
    print()
    shapes(guppy, pyrometer, args.repeat, version)
    print()
    functions(objgraph, pyrometer, args.repeat, version)


def retained_sizes(repeat, data, guppy, pyrometer, version):
    """What the list of 1,000,000 dicts retains (the list, its dicts and their
    ints): pyrometer.retained(), one dominator tree over the whole heap, next to
    guppy's `iso(data).domisize`, which computes the same. Best of `repeat`
    interleaved rounds (fewer than the census: each call takes seconds)."""
    rounds = max(1, min(repeat, 3))
    heap = guppy.hpy()
    calls = {"guppy iso(data).domisize": lambda: heap.iso(data).domisize,
             "pyrometer retained(data)": lambda: pyrometer.retained(data)}
    best = {name: float("inf") for name in calls}
    sizes = {}
    for _ in range(rounds):
        for name, call in calls.items():
            seconds, sizes[name] = timed(call)
            best[name] = min(best[name], seconds)
    print(f"retained size of the list of {len(data):,} dicts, best of {rounds} interleaved rounds:")
    for name, seconds in best.items():
        print(f"{name:34} {seconds:9.4f} {sizes[name]:>21d}")
    ratio = best["pyrometer retained(data)"] / best["guppy iso(data).domisize"]
    same = "same bytes" if len(set(sizes.values())) == 1 else "bytes differ"
    print(f"RATIO {version} retained pyrometer/guppy={ratio:.3f} ({same})")


# ---- 2. heaps of real shapes ----------------------------------------------------

class Record:
    def __init__(self, i):
        self.name = "r%d" % i
        self.value = i
        self.tags = [i]


class Node:
    __slots__ = ("next", "value")

    def __init__(self, next, value):
        self.next = next
        self.value = value


def materialised_dicts():
    """200,000 instances, each with its __dict__ materialised by vars()."""
    records = [Record(i) for i in range(200_000)]
    for record in records:
        vars(record)
    return records


def json_document():
    """A json.loads document: 100,000 records of str, int, float, bool, None and lists."""
    text = json.dumps([{"id": i, "name": "user%d" % i, "score": i / 7, "active": i % 2 == 0,
                        "manager": None, "roles": ["a", "b%d" % (i % 10)], "address": {"zip": "%05d" % i}}
                       for i in range(100_000)])
    return json.loads(text)


def slots_classes():
    """1,000 small __slots__ classes, 300 instances each."""
    classes = [type("Slots%d" % n, (), {"__slots__": ("a", "b")}) for n in range(1000)]
    instances = []
    for number, cls in enumerate(classes):
        for i in range(300):
            o = cls()
            o.a = number * 1000 + i
            o.b = "x"
            instances.append(o)
    return classes, instances


def numpy_arrays():
    """100,000 small numpy arrays and 10 of 1,000,000 floats."""
    import numpy
    return [numpy.arange(8) + i for i in range(100_000)] + [numpy.zeros(1_000_000) for _ in range(10)]


def deep_graphs():
    """A linked list of 100,000 __slots__ nodes and a chain of 100,000 nested tuples."""
    head = None
    for i in range(100_000):
        head = Node(head, i)
    chain = ()
    for i in range(100_000):
        chain = (chain, i * 1000)
    return head, chain


SHAPES = {
    "materialised __dict__": materialised_dicts,
    "json.loads document": json_document,
    "__slots__ classes": slots_classes,
    "numpy arrays": numpy_arrays,
    "deep graphs (1e5 deep)": deep_graphs,
}


def shapes(guppy, pyrometer, repeat, version):
    print(f"heaps of real shapes: best of {repeat} interleaved rounds, after one untimed guppy call")
    print(f"{'heap':24} {'guppy s':>9} {'pyrometer s':>11} {'ratio':>7} {'guppy objs':>10} {'pyro objs':>10}")
    for name, build in SHAPES.items():
        heap = build()
        guppy.hpy().heap()
        best = {"guppy": float("inf"), "pyrometer": float("inf")}
        found = {}
        for _ in range(repeat):
            seconds, result = timed(lambda: guppy.hpy().heap())
            best["guppy"] = min(best["guppy"], seconds)
            found["guppy"] = result.count
            del result
            seconds, result = timed(pyrometer.census)
            best["pyrometer"] = min(best["pyrometer"], seconds)
            found["pyrometer"] = totals(result)[0]
            del result
        ratio = best["pyrometer"] / best["guppy"]
        verdict = "PASS" if ratio <= BAR else "FAIL"
        print(f"{name:24} {best['guppy']:9.4f} {best['pyrometer']:11.4f} {ratio:6.3f}x "
              f"{found['guppy']:10d} {found['pyrometer']:10d}  {verdict}")
        print(f"RATIO {version} census[{name}] pyrometer/guppy={ratio:.3f} {verdict}")
        del heap
        gc.collect()


# ---- 3. objgraph's object-returning functions -------------------------------------

class Leaf:
    def __init__(self, i):
        self.i = i
        self.items = [i, str(i)]


FUNCTION_BAR = 2.0


def function_calls(module, heap, target, directory):
    """{function name: call} of `module`'s functions (objgraph or pyrometer)."""
    addresses = {id(o) for o in heap[::200]}
    quiet = io.StringIO()

    state = {}  # each tool's own: objgraph's ids of every object would swell the other's heap

    def new_ids():
        module.get_new_ids(limit=3, file=quiet, _state=state)

    def dot(name):
        return os.path.join(directory, "%s-%s.dot" % (module.__name__, name))

    def leaking():
        # objgraph's example: the objects nothing refers to (of the whole heap).
        return len(module.get_leaking_objects())

    return {
        "by_type": lambda: module.by_type("Leaf"),
        "at_addrs": lambda: module.at_addrs(addresses),
        "find_backref_chain": lambda: module.find_backref_chain(target, module.is_proper_module),
        "find_ref_chain": lambda: module.find_ref_chain(heap, lambda o: o is target.items),
        "show_backrefs": lambda: module.show_backrefs([target], filename=dot("backrefs"), max_depth=4),
        "show_refs": lambda: module.show_refs([heap], filename=dot("refs"), max_depth=2),
        "get_leaking_objects": leaking,
        "get_new_ids": new_ids,  # last, timed after a first call of each
    }


LEAF_HEAP = []


def functions(objgraph, pyrometer, repeat, version):
    LEAF_HEAP[:] = [Leaf(i) for i in range(200_000)]
    target = LEAF_HEAP[150_000]
    tracked = len(gc.get_objects())
    everything = sum(pyrometer.typestats().values())
    print(f"objgraph's functions on a heap of {tracked:,} tracked objects ({everything:,} with untracked ones); "
          f"best of {repeat} interleaved rounds; get_new_ids timed after a first call")
    print(f"{'function':22} {'objgraph s':>10} {'pyrometer s':>11} {'ratio':>7}  results (objgraph / pyrometer)")
    with tempfile.TemporaryDirectory() as directory, contextlib.redirect_stdout(io.StringIO()):
        calls = {tool: function_calls(module, LEAF_HEAP, target, directory)
                 for tool, module in (("objgraph", objgraph), ("pyrometer", pyrometer))}
        rows = []
        for name in calls["objgraph"]:
            if name == "get_new_ids":
                calls["objgraph"][name]()
                calls["pyrometer"][name]()
            best = {"objgraph": float("inf"), "pyrometer": float("inf")}
            found = {}
            for _ in range(repeat):
                for tool in ("objgraph", "pyrometer"):
                    seconds, result = timed(calls[tool][name])
                    best[tool] = min(best[tool], seconds)
                    found[tool] = describe(result)
                    del result
            rows.append((name, best, found))
    for name, best, found in rows:
        ratio = best["pyrometer"] / best["objgraph"]
        verdict = "PASS" if ratio <= FUNCTION_BAR else "FAIL"
        print(f"{name:22} {best['objgraph']:10.4f} {best['pyrometer']:11.4f} {ratio:6.2f}x  "
              f"{found['objgraph']} / {found['pyrometer']}  {verdict}")
        print(f"RATIO {version} {name} pyrometer/objgraph={ratio:.3f} {verdict}")
    LEAF_HEAP.clear()


def describe(result):
    if isinstance(result, list):
        return "%d objects" % len(result)
    if isinstance(result, int):
        return "%d objects" % result
    return "-"


if __name__ == "__main__":
    main()
