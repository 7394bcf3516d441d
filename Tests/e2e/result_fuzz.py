"""Mutated result files for `pyrometer view`: real files of every tool are made
with the built binary on the fixtures, then damaged with a seeded random generator
(byte flips, truncations, deleted fields, retyped fields, extreme numbers, several
at once), and `view` is run on each. A run is a failure when view crashes (a signal,
status >= 128, "Fatal error" or a backtrace on stderr), hangs (no exit within the
time limit) or refuses a file with anything but exactly one stderr line.

Used by Tests/e2e/test_result_fuzz.py (a few hundred files per tool) and by
scripts/fuzz-view (the long run)."""
import json
import os
import random
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "Fixtures"

# Raw JSON tokens that stress the readers: integer limits and beyond, floats
# that overflow or are not numbers in JSON at all, negatives, huge line numbers.
EXTREME_TOKENS = [
    "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "-9223372036854775809", "18446744073709551616", "4611686018427387904",
    "2147483648", "1000000000", "999999999999", "-1", "0", "-0", "1e308",
    "-1e308", "1e999", "5e-324", "NaN", "Infinity", "-Infinity", "nan", "1.5",
    "null", "true", '""', '"x"', "[]", "{}", "[1e308, -1]",
]

# Options of `view` tried on the files of each tool.
VIEW_VARIANTS = {
    "lines": [[], ["-u", "1e-3"], ["-z"]],
    "memory": [[], ["--top", "5"], ["--peak", "-u", "B"], ["--top", "1000000000000"]],
    "timeit": [[], ["-u", "nsec"]],
    "leaks": [[]],
    "sample": [[], ["--top", "2"]],
}


def run_pyrometer(binary, args, cwd, timeout=300):
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    proc = subprocess.run([binary, *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"pyrometer {' '.join(map(str, args))} failed ({proc.returncode}): {proc.stderr}")
    return proc


def make_seeds(binary, folder):
    """Real result files of every tool, made by `binary` in `folder`:
    {tool: [paths]}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    seeds = {"lines": [], "memory": [], "timeit": [], "leaks": [], "sample": []}

    def out(name):
        return folder / name

    run_pyrometer(binary, ["lines", "-o", out("lines.json"), FIXTURES / "known_counts.py"], folder)
    seeds["lines"].append(out("lines.json"))
    hostile = FIXTURES / "hostile_names.py"
    run_pyrometer(binary, ["lines", "-o", out("lines-hostile.json"), hostile], folder)
    seeds["lines"].append(out("lines-hostile.json"))
    for name, program in [("memory", FIXTURES / "known_counts.py"), ("memory-hostile", hostile)]:
        run_pyrometer(binary, ["memory", "--top", "5", "--plot", out(name + ".svg"), "-o", out(name + ".json"),
                               program], folder)
        seeds["memory"].append(out(name + ".json"))
    run_pyrometer(binary, ["timeit", "-n", "100", "-r", "3", "-o", out("timeit.json"),
                           "sum(range(10))", "sum(range(20))", "'-'.join('abc')"], folder)
    seeds["timeit"].append(out("timeit.json"))
    run_pyrometer(binary, ["timeit", "-n", "10", "-r", "2", "-s", "x = 1", "-o", out("timeit-one.json"), "x + 1"], folder)
    seeds["timeit"].append(out("timeit-one.json"))
    leaks = FIXTURES / "leaks"
    run_pyrometer(binary, ["leaks", "-o", out("leaks-call.json"), "--call", "global_list:handle", "--repeat", "4",
                           "--trace-allocations"], leaks)
    seeds["leaks"].append(out("leaks-call.json"))
    run_pyrometer(binary, ["leaks", "-o", out("leaks-interval.json"), "--interval", "0.2",
                           leaks / "growing_server.py", "1.2"], leaks)
    seeds["leaks"].append(out("leaks-interval.json"))
    run_pyrometer(binary, ["leaks", "-o", out("leaks-hostile.json"), "--call", "hostile_names:handle",
                           "--repeat", "3"], FIXTURES)
    seeds["leaks"].append(out("leaks-hostile.json"))
    for name, program in [("sample", FIXTURES / "sample" / "recursion.py"), ("sample-hostile", hostile)]:
        run_pyrometer(binary, ["sample", "--rate", "2000", "-o", out(name + ".json"), program], folder)
        seeds["sample"].append(out(name + ".json"))
    return seeds


# ---- mutations -------------------------------------------------------------

def _paths(value, prefix=()):
    """Every (path, value) in a decoded JSON value, containers included."""
    yield prefix, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


def _parent(document, path):
    node = document
    for step in path[:-1]:
        node = node[step]
    return node


class _Raw:
    """A JSON token written as is (NaN, 1e999, 2**64...)."""
    def __init__(self, token):
        self.token = token


def _dump(document):
    raws = []

    def encode(value):
        if isinstance(value, _Raw):
            raws.append(value.token)
            return f"\u0000RAW{len(raws) - 1}\u0000"
        if isinstance(value, dict):
            return {key: encode(item) for key, item in value.items()}
        if isinstance(value, list):
            return [encode(item) for item in value]
        return value

    text = json.dumps(encode(document), indent=1)
    for index, token in enumerate(raws):
        text = text.replace(json.dumps(f"\u0000RAW{index}\u0000"), token)
    return text.encode()


def _structural(document, rng):
    """One change to the decoded document, in place (the root may be replaced)."""
    paths = [(path, value) for path, value in _paths(document) if path]
    if not paths:
        return document
    numeric = [(p, v) for p, v in paths if isinstance(v, (int, float)) and not isinstance(v, bool)]
    kind = rng.choice(["delete", "retype", "extreme", "extreme", "extreme", "grow", "string"])
    if kind == "extreme" and numeric:
        path, _ = rng.choice(numeric)
    else:
        path, _ = rng.choice(paths)
    parent = _parent(document, path)
    key = path[-1]
    if kind == "delete":
        del parent[key]
    elif kind == "retype":
        old = parent[key]
        parent[key] = rng.choice([str(old), None, [old], {"x": old}, True, 0])
    elif kind == "extreme":
        parent[key] = _Raw(rng.choice(EXTREME_TOKENS))
    elif kind == "grow":
        # A long list from a short one: many copies of an element.
        if isinstance(parent, list):
            parent.extend([parent[key]] * rng.choice([2, 50, 500]))
        else:
            parent[key] = [parent[key]] * rng.choice([2, 50])
    else:
        parent[key] = rng.choice(["\x1b[31mred\x1b[0m", "a\nb", "\u0000", "\ud7ff" * 3, "é" * 40, "", "x" * 5000])
    return document


def mutate(original, rng):
    """A damaged copy (bytes) of the result file text `original` (bytes)."""
    kind = rng.random()
    if kind < 0.15:  # byte flips
        data = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if kind < 0.25:  # truncation
        return original[:rng.randrange(len(original))]
    document = json.loads(original)
    for _ in range(1 if kind < 0.7 else rng.randint(2, 6)):
        document = _structural(document, rng)
    return _dump(document)


# ---- running view ----------------------------------------------------------

def judge(proc_or_none, elapsed, timeout):
    """'ok', 'refused', or the failure: 'hang', 'crash', 'multi-line'."""
    if proc_or_none is None:
        return "hang"
    proc = proc_or_none
    stderr = proc.stderr
    if proc.returncode < 0 or proc.returncode >= 128 or "Fatal error" in stderr or "Backtrace" in stderr \
            or "Current stack trace" in stderr:
        return "crash"
    if proc.returncode == 0:
        return "ok"
    lines = stderr.splitlines()
    if len(lines) != 1 or not lines[0].startswith("pyrometer: error: ") or stderr.count("\n") != 1:
        return "multi-line"
    return "refused"


def view(binary, path, options, timeout):
    """Runs `pyrometer view PATH OPTIONS`; returns (verdict, process or None, seconds)."""
    started = time.monotonic()
    try:
        proc = subprocess.run([binary, "view", str(path), *options], capture_output=True,
                              timeout=timeout, errors="replace", text=True)
    except subprocess.TimeoutExpired:
        return "hang", None, time.monotonic() - started
    elapsed = time.monotonic() - started
    return judge(proc, elapsed, timeout), proc, elapsed


def fuzz(binary, seeds, count_per_tool, folder, seed=11, timeout=10, keep_failures=None):
    """Views `count_per_tool` mutated files of each tool. Returns a dict of counts
    per tool and verdict, and the list of failures (tool, verdict, path, options,
    stderr tail). Failing files are copied to `keep_failures` when given."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    counts = {}
    failures = []
    for tool, paths in seeds.items():
        originals = [Path(p).read_bytes() for p in paths]
        variants = VIEW_VARIANTS[tool]
        tally = counts.setdefault(tool, {"ok": 0, "refused": 0, "crash": 0, "hang": 0, "multi-line": 0})
        for number in range(count_per_tool):
            data = mutate(rng.choice(originals), rng)
            path = folder / f"{tool}-{number}.json"
            path.write_bytes(data)
            options = variants[number % len(variants)]
            verdict, proc, _ = view(binary, path, options, timeout)
            tally[verdict] += 1
            if verdict in ("crash", "hang", "multi-line"):
                tail = "" if proc is None else proc.stderr[-400:]
                failures.append((tool, verdict, path, options, tail))
                if keep_failures is not None:
                    Path(keep_failures).mkdir(parents=True, exist_ok=True)
                    (Path(keep_failures) / f"{tool}-{verdict}-{number}.json").write_bytes(data)
            else:
                path.unlink()
    return counts, failures
