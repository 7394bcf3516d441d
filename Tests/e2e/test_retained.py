"""Retained sizes: `pyrometer.retained()`, `dominators()`, `top_retained()`, the
`retained=True` drawings, and what `pyrometer leaks` says a leak holds. Known
answers (sums of sys.getsizeof over planted objects) and guppy3's `domisize`
on the same objects in the same process."""
import json
import re

from conftest import FIXTURES, run, run_python

LEAKS = FIXTURES / "leaks"


def answers(code):
    """Runs `code` in plain Python with pyrometer importable; the JSON it printed last."""
    proc = run_python(code)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return json.loads(proc.stdout.splitlines()[-1])


PLANTED = """
import gc, json, os, sys
import pyrometer

# 1000 distinct bytes of 1 KiB, held by one list only.
kilobytes = [os.urandom(1024) for _ in range(1000)]
# One 100 kB bytes held by two lists.
first = [os.urandom(100_000)]
second = [first[0]]
# A cycle of two lists, one holding 5 kB, held from the module by one of them.
ring = [None, os.urandom(5000)]
ring[0] = [ring]

def sizes(*objects):
    return sum(sys.getsizeof(o) for o in objects)
"""


def test_retained_sizes_of_planted_objects():
    found = answers(PLANTED + """
print(json.dumps({
    "list": pyrometer.retained(kilobytes), "list_expected": sizes(kilobytes, *kilobytes),
    "list_alone": sys.getsizeof(kilobytes),
    "first": pyrometer.retained(first), "second": pyrometer.retained(second),
    "first_alone": sys.getsizeof(first),
    "ring": pyrometer.retained(ring), "ring_expected": sizes(ring, ring[0], ring[1]),
    "partner": pyrometer.retained(ring[0]), "partner_alone": sys.getsizeof(ring[0]),
}))
""")
    # The list and its items: 1000 x (1024 + the bytes header) + the list itself.
    assert found["list"] == found["list_expected"]
    assert 1000 * (1024 + 32) + found["list_alone"] <= found["list"] <= 1000 * (1024 + 40) + found["list_alone"]
    # Shared by two holders: retained by neither.
    assert found["first"] == found["second"] == found["first_alone"]
    # The cycle goes with the list the module names; its partner retains only
    # itself (the list it holds is held by the module too).
    assert found["ring"] == found["ring_expected"]
    assert found["partner"] == found["partner_alone"]


def test_retained_agrees_with_guppy_domisize():
    found = answers("""
import json, os, guppy, pyrometer
class Node:
    def __init__(self, number):
        self.values = [number * 1000 + k for k in range(10)]
blobs = [os.urandom(512) for _ in range(300)]
records = [{'a': i * 1000, 'b': str(i)} for i in range(1000)]
nodes = [Node(i) for i in range(200)]
heap = guppy.hpy()
print(json.dumps({name: [pyrometer.retained(o), heap.iso(o).domisize]
                  for name, o in [("blobs", blobs), ("records", records), ("nodes", nodes)]}))
""")
    for name, (ours, guppys) in found.items():
        assert ours == guppys, (name, ours, guppys)


def test_dominators_and_top_retained():
    found = answers(PLANTED + """
registry = {"inner": {"deep": [os.urandom(64)]}}
chain = pyrometer.dominators(registry["inner"]["deep"][0])
top = pyrometer.top_retained(3, "list")
print(json.dumps({
    "chain_tail": [type(o).__name__ for o in chain[-3:]],
    "chain_holders": [chain[-3] is registry, chain[-2] is registry["inner"], chain[-1] is registry["inner"]["deep"]],
    "shared": pyrometer.dominators(first[0])[-1] is first or pyrometer.dominators(first[0])[-1] is second,
    "item": pyrometer.dominators(kilobytes[7])[-1] is kilobytes,
    "top_first": top[0][0] is kilobytes, "top_bytes": top[0][1], "list": pyrometer.retained(kilobytes),
    "top_sorted": [size for _, size in top] == sorted((size for _, size in top), reverse=True),
    "top_types": sorted({type(o).__name__ for o, _ in top}),
}))
""")
    # The bytes hangs from the list, the dict holding it and the dict holding that.
    assert found["chain_tail"] == ["dict", "dict", "list"] and found["chain_holders"] == [True, True, True]
    assert found["shared"] is False  # neither list dominates what both hold
    assert found["item"] is True
    assert found["top_first"] and found["top_bytes"] == found["list"] and found["top_sorted"]
    assert found["top_types"] == ["list"]


def test_drawings_label_and_shade_by_retained_size(tmp_path):
    found = answers(PLANTED + """
import io
holder = {"data": kilobytes}
text = io.StringIO()
pyrometer.show_backrefs([kilobytes[3]], max_depth=2, retained=True, output=text)
refs = io.StringIO()
pyrometer.show_refs([holder], max_depth=1, retained=True, output=refs)
plain = io.StringIO()
pyrometer.show_refs([holder], max_depth=1, output=plain)
# The list a drawing starts from does not hold its objects: the one holder of
# this bytes still retains it.
one = [os.urandom(300_000)]
alone = io.StringIO()
pyrometer.show_backrefs([one[0]], max_depth=1, retained=True, output=alone)
print(json.dumps({"backrefs": text.getvalue(), "refs": refs.getvalue(), "plain": plain.getvalue(),
                  "list": pyrometer.retained(kilobytes), "alone": alone.getvalue(),
                  "one": pyrometer._census._format_bytes(pyrometer.retained(one))}))
""")
    assert found["one"] == "293.1 KiB"
    assert found["alone"].count("retains 293.1 KiB") == 1 and found["alone"].count("retains 293.0 KiB") == 1
    mib = found["list"] / 1024 / 1024
    # The list's box says what it retains; the bytes its own 1057 B.
    assert f"retains {mib:.1f} MiB" in found["backrefs"]
    assert "retains 1.0 KiB" in found["backrefs"]
    assert f"retains {mib:.1f} MiB" in found["refs"]
    assert "retains" not in found["plain"]
    # The largest box is the most saturated (hue 0.08, saturation 0.9), the smallest the palest.
    assert re.search(r'fillcolor="0\.08\d*,0\.9\d*,1', found["refs"]), found["refs"]
    assert re.search(r'fillcolor="0\.16\d*,0\.15\d*,1', found["refs"]), found["refs"]


def test_leak_report_names_the_registry_and_what_it_holds(tmp_path):
    out = tmp_path / "leaks.json"
    proc = run(["leaks", "--call", "registry_leak:handle", "--repeat", "5", "-o", out], cwd=LEAKS, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    leaks = {entry["type"]: entry for entry in report["leaks"]}
    session = leaks["registry_leak.Session"]["retained"]
    # 5 calls x 4 sessions, each holding 10,000 bytes (plus its header) only it refers to.
    assert session["objects"] == 20
    assert 20 * (10_000 + 33 + 40) <= session["bytes"] <= 20 * (10_000 + 33 + 400), session
    holder = session["heldBy"]
    assert holder["path"] == "registry_leak._registry" and holder["root"] == "module registry_leak"
    assert holder["type"] == "dict" and holder["objects"] == 20 and holder["bytes"] == session["bytes"]
    # The payloads, measured as their own type: the same 20 bytes objects.
    payloads = leaks["bytes"]["retained"]
    assert payloads["objects"] == 20 and 20 * 10_033 <= payloads["bytes"] <= 20 * 10_040
    assert payloads["heldBy"]["path"] == "registry_leak._registry"
    kib = session["bytes"] / 1024
    line = next(line for line in proc.stdout.splitlines() if line.lstrip().startswith("registry_leak.Session") and "held by" in line)
    assert re.search(rf"\b20\s+{kib:.1f} KiB\s+{kib:.1f} KiB held by registry_leak\._registry$", line), line
    # `pyrometer view` shows the same from the file.
    view = run(["view", out])
    assert view.returncode == 0 and line in view.stdout


def test_leak_held_by_a_local_of_a_running_frame(tmp_path):
    out = tmp_path / "leaks.json"
    proc = run(["leaks", "--interval", "0.25", "-o", out, "growing_server.py", "3"], cwd=LEAKS, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    request = next(entry for entry in report["leaks"] if entry["type"] == "__main__.Request")
    retained = request["retained"]
    assert retained["objects"] > 0 and retained["bytes"] >= retained["objects"] * 48
    assert retained["heldBy"]["path"] == "kept" and retained["heldBy"]["root"].startswith("local kept in main (")
