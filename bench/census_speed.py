"""Speed of pyrometer's object census next to guppy3 and objgraph, on one heap.

In one process: a heap of 1,000,000 small dicts and 100,000 instances of a plain
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
"""
import gc
import os
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


if __name__ == "__main__":
    main()
