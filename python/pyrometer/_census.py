"""objgraph's functions, over pyrometer's complete census.

Each function keeps objgraph's name, parameters, return values and printed
formats, so ``import pyrometer as objgraph`` runs existing code. The difference:
objgraph sees only the objects the garbage collector tracks; here the native
engine walks every object's references, so untracked objects (dicts and tuples
of atoms, str, int, float, bytes...) are counted too. ``tracked_only=True``
gives objgraph's numbers.
"""

import collections
import functools
import gc
import inspect
import json
import math
import operator
import os
import re
import sys
import tempfile
import types

from . import _native

__all__ = [
    "typestats", "most_common_types", "show_most_common_types", "count", "by_type",
    "growth", "show_growth", "get_new_ids", "get_leaking_objects", "at", "at_addrs",
    "find_ref_chain", "find_backref_chain", "show_backrefs", "show_refs", "show_chain",
    "is_proper_module", "census", "show_census", "retained", "dominators", "top_retained",
]


def _engine():
    engine = _native.load()
    if engine is None:
        raise RuntimeError(
            "pyrometer's native engine is not built for Python %d.%d "
            "(run `swift build` with this Python, or set $PYROMETER_NATIVE)" % sys.version_info[:2])
    return engine


# ---- names --------------------------------------------------------------------

def _short_name(type_):
    return type_.__name__


def _long_name(type_):
    module = getattr(type_, "__module__", None)
    return "%s.%s" % (module, type_.__name__) if module else type_.__name__


def _namer(shortnames):
    return _short_name if shortnames else _long_name


def _objects(objects, tracked_only):
    return objects if objects is not None else _engine().objects(tracked_only)


# ---- counting -----------------------------------------------------------------

def _totals(objects, shortnames, filter, tracked_only, sizes):
    """``{type name: (count, bytes)}`` of the live objects, or of ``objects``;
    bytes are 0 unless ``sizes``. Names come in the order types are first met."""
    name = _namer(shortnames)
    totals = {}
    if objects is None and filter is None:
        for type_, every, every_size, tracked, tracked_size in _engine().census(tracked_only, sizes, False):
            number, size = (tracked, tracked_size) if tracked_only else (every, every_size)
            if number:
                n = name(type_)
                old_count, old_size = totals.get(n, (0, 0))
                totals[n] = (old_count + number, old_size + size)
        return totals
    for o in _objects(objects, tracked_only):
        if filter and not filter(o):
            continue
        n = name(type(o))
        old_count, old_size = totals.get(n, (0, 0))
        totals[n] = (old_count + 1, old_size + (sys.getsizeof(o) if sizes else 0))
    return totals


def census(tracked_only=False, shortnames=True, filter=None, objects=None):
    """Count and total size (``sys.getsizeof``) of the live objects of each type:
    ``{type name: (count, bytes)}``."""
    return _totals(objects, shortnames, filter, tracked_only, sizes=True)


def show_census(limit=10, tracked_only=False, shortnames=True, file=None, filter=None, objects=None):
    """Prints the types with the most objects: name, count and total bytes."""
    rows = sorted(census(tracked_only, shortnames, filter, objects).items(), key=lambda item: item[1][0], reverse=True)
    if limit:
        rows = rows[:limit]
    if not rows:
        return
    file = file if file is not None else sys.stdout
    width = max(len(n) for n, _ in rows)
    for n, (count_, size) in rows:
        file.write("%-*s %9d %12d\n" % (width, n, count_, size))


def typestats(objects=None, shortnames=True, filter=None, tracked_only=False):
    """Number of live objects of each type: ``{type name: count}``. Complete
    unless ``tracked_only`` (objgraph's count, from ``gc.get_objects()``)."""
    totals = _totals(objects, shortnames, filter, tracked_only, sizes=False)
    return {n: number for n, (number, _) in totals.items()}


def most_common_types(limit=10, objects=None, shortnames=True, filter=None, tracked_only=False):
    """The ``limit`` types with the most objects, as ``[(name, count)]``."""
    stats = sorted(typestats(objects, shortnames, filter, tracked_only).items(),
                   key=lambda item: item[1], reverse=True)
    return stats[:limit] if limit else stats


def show_most_common_types(limit=10, objects=None, shortnames=True, file=None, filter=None, tracked_only=False):
    """Prints the types with the most objects, one ``name count`` per line."""
    stats = most_common_types(limit, objects, shortnames, filter, tracked_only)
    if not stats:
        return
    file = file if file is not None else sys.stdout
    width = max(len(n) for n, _ in stats)
    for n, number in stats:
        file.write("%-*s %i\n" % (width, n, number))


def count(typename, objects=None, tracked_only=False):
    """How many live objects have this type name (``module.Name`` or ``Name``)."""
    totals = _totals(objects, "." not in typename, None, tracked_only, sizes=False)
    return totals.get(typename, (0, 0))[0]


def by_type(typename, objects=None, tracked_only=False):
    """The live objects with this type name."""
    if objects is None:
        return _engine().objects_named(typename, tracked_only)
    name = _long_name if "." in typename else _short_name
    return [o for o in objects if name(type(o)) == typename]


def at(addr):
    """The live object whose ``id()`` is ``addr``, or None."""
    found = _engine().objects_at((addr,), False)
    return found[0] if found else None


def at_addrs(address_set):
    """The live objects whose ``id()`` is in ``address_set``."""
    return _engine().objects_at(address_set, False)


# ---- growth -------------------------------------------------------------------

def growth(limit=10, peak_stats={}, shortnames=True, filter=None, tracked_only=False):
    """Types whose count went past their previous peak (kept in ``peak_stats``),
    as ``[(name, count, increase)]``, after a full collection."""
    gc.collect()
    stats = typestats(shortnames=shortnames, filter=filter, tracked_only=tracked_only)
    deltas = {}
    for n, number in stats.items():
        previous = peak_stats.get(n, 0)
        if number > previous:
            deltas[n] = number - previous
            peak_stats[n] = number
    ranked = sorted(deltas.items(), key=lambda item: item[1], reverse=True)
    if limit:
        ranked = ranked[:limit]
    return [(n, stats[n], delta) for n, delta in ranked]


def show_growth(limit=10, peak_stats=None, shortnames=True, file=None, filter=None, tracked_only=False):
    """Prints the types whose count grew since the last call: name, count, increase."""
    if peak_stats is None:
        result = growth(limit, shortnames=shortnames, filter=filter, tracked_only=tracked_only)
    else:
        result = growth(limit, peak_stats, shortnames, filter, tracked_only)
    if result:
        file = file if file is not None else sys.stdout
        width = max(len(n) for n, _, _ in result)
        for n, number, delta in result:
            file.write("%-*s%9d %+9d\n" % (width, n, number, delta))


def get_new_ids(skip_update=False, limit=10, sortby="deltas", shortnames=None, file=None, _state={},
                tracked_only=False):
    """Prints, per type, how many objects exist now, existed at the last call, and
    are new; returns ``{type name: set of ids of new objects}``."""
    if not _state:
        _state.update(new={}, snapshot=None, shortnames=True)
    new_ids = _state["new"]
    if skip_update:
        return new_ids
    if shortnames is None:
        shortnames = _state["shortnames"]
    else:
        _state["shortnames"] = shortnames
    # The snapshot lives in native memory, and last call's sets go before the
    # census: the census counts no object of this bookkeeping.
    new_ids.clear()
    gc.collect()
    snapshot, found = _engine().new_ids(_state["snapshot"], tracked_only, shortnames)
    _state["snapshot"] = snapshot
    del snapshot
    rows = []
    for n, before, now, fresh in found:
        new_ids[n] = fresh
        rows.append((n, before, now, len(fresh), now - before))
    # No closure here: its cell would be a new object in every call's census.
    rows.sort(key=operator.itemgetter({"old": 1, "current": 2, "new": 3, "deltas": 4}[sortby], 0), reverse=True)
    if limit is not None:
        rows = rows[:limit]
    if not rows:
        return new_ids
    file = file if file is not None else sys.stdout
    width = max(len(row[0]) for row in rows)
    rule = "=" * (width + 13 * 4)
    print(rule, file=file)
    print("%-*s%13s%13s%13s%13s" % (width, "Type", "Old_ids", "Current_ids", "New_ids", "Count_Deltas"), file=file)
    print(rule, file=file)
    for n, before, now, fresh, delta in rows:
        print("%-*s%13d%13d%+13d%+13d" % (width, n, before, now, fresh, delta), file=file)
    print(rule, file=file)
    return new_ids


def get_leaking_objects(objects=None):
    """Tracked objects that no tracked object refers to: held only from C code
    (or by a reference leaked in an extension), the usual suspects of a leak."""
    gc.collect()
    if objects is None:
        objects = gc.get_objects()
    try:
        return _engine().unreferenced(list(objects) if not isinstance(objects, list) else objects)
    finally:
        del objects


def is_proper_module(obj):
    """True for a module that is in ``sys.modules``: a root of the object graph."""
    return inspect.ismodule(obj) and obj is sys.modules.get(getattr(obj, "__name__", None))


# ---- chains -------------------------------------------------------------------

def _chain(obj, predicate, neighbours, max_depth, ignore):
    """Breadth-first from ``obj`` along ``neighbours`` to the first object
    ``predicate`` accepts; the path from there back to ``obj``."""
    queue = [obj]
    depth = {id(obj): 0}
    parent = {id(obj): None}
    ignore = set(ignore) | {id(queue), id(depth), id(parent)}
    head = 0
    while head < len(queue):
        target = queue[head]
        head += 1
        if predicate(target):
            chain = [target]
            while parent[id(chain[-1])] is not None:
                chain.append(parent[id(chain[-1])])
            return chain
        if depth[id(target)] < max_depth:
            for source in neighbours(target):
                if id(source) in ignore or id(source) in depth:
                    continue
                depth[id(source)] = depth[id(target)] + 1
                parent[id(source)] = target
                queue.append(source)
    return [obj]


def _referrers_function():
    """``referrers(obj)`` over a snapshot of every reference. No closure: a cell
    made before the snapshot would be in it and hold it, a cycle through the
    snapshot that the collector cannot see."""
    engine = _engine()
    return functools.partial(engine.referrers, engine.reference_graph())


def find_ref_chain(obj, predicate, max_depth=20, extra_ignore=()):
    """The shortest chain of references from ``obj`` to an object ``predicate``
    accepts, ``[obj, ..., found]``; ``[obj]`` if there is none within
    ``max_depth``."""
    gc.collect()
    ignore = set(extra_ignore) | {id(extra_ignore)}
    return _chain(obj, predicate, _engine().referents, max_depth, ignore)[::-1]  # found last


def find_backref_chain(obj, predicate, max_depth=20, extra_ignore=()):
    """The shortest chain of references to ``obj`` from an object ``predicate``
    accepts (``is_proper_module`` finds a root), ``[found, ..., obj]``."""
    referrers = _referrers_function()
    ignore = set(extra_ignore) | {id(extra_ignore)}
    return _chain(obj, predicate, referrers, max_depth, ignore)  # found first


# ---- drawings -----------------------------------------------------------------

def _node_id(obj):
    return ("o%d" % id(obj)).replace("-", "_")


def _name_or_repr(value):
    try:
        name = value.__name__
    except AttributeError:
        name = None
    return name if isinstance(name, str) else repr(value)[:40]


def _describe(obj):
    """objgraph's short description of an object, for its box."""
    if isinstance(obj, (type, types.ModuleType, types.BuiltinFunctionType)):
        return _name_or_repr(obj)
    if isinstance(obj, types.MethodType):
        return _name_or_repr(obj.__func__) + (" (bound)" if obj.__self__ else "")
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        return "lambda: %s:%s" % (os.path.basename(obj.__code__.co_filename), obj.__code__.co_firstlineno)
    if isinstance(obj, types.FrameType):
        return "%s:%s" % (obj.f_code.co_filename, obj.f_lineno)
    if isinstance(obj, (tuple, list, dict, set)):
        return "%d items" % len(obj)
    return repr(obj)[:40]


def _safe_describe(obj):
    try:
        return _describe(obj)
    except Exception:
        return "(unrepresentable)"


def _node_label(obj, extra_info=None, refcounts=False, shortnames=True):
    head = _namer(shortnames)(type(obj))
    if refcounts:
        head += " [%d]" % (sys.getrefcount(obj) - 4)
    lines = [head, _safe_describe(obj)]
    if extra_info:
        lines.append(str(extra_info(obj)))
    return "\n".join(lines)


_identifier = re.compile(r"[a-zA-Z_][a-zA-Z_0-9]*$").match


def _edge(source, target, shortnames=True):
    """What a reference from ``source`` to ``target`` is called: (label, weight)."""
    if isinstance(target, dict) and target is getattr(source, "__dict__", None):
        return "__dict__", 10
    if isinstance(source, types.FrameType):
        if target is source.f_locals:
            return "f_locals", 10
        if target is source.f_globals:
            return "f_globals", 10
    if isinstance(source, types.MethodType):
        if target is source.__self__:
            return "__self__", 10
        if target is source.__func__:
            return "__func__", 10
    if isinstance(source, types.FunctionType):
        for attribute in dir(source):
            if target is getattr(source, attribute):
                return attribute, 10
    if isinstance(source, dict):
        for key, value in source.items():
            if value is target:
                if isinstance(key, str) and _identifier(key):
                    return key, 2
                return _namer(shortnames)(type(key)) + "\n" + _safe_describe(key), None
    return None, None


def _shade(start, end, depth, max_depth):
    if max_depth == 0:
        return start
    f = float(depth) / max_depth
    return tuple(a * (1 - f) + b * f for a, b in zip(start, end))


def _draw(objs, neighbours, backwards, max_depth, extra_ignore, filter, too_many, highlight,
          extra_info, refcounts, shortnames, cull, extra_node_attrs):
    """Breadth-first from ``objs`` as objgraph draws: an ``ObjectGraph`` value."""
    if not isinstance(objs, (list, tuple)):
        objs = [objs]
    ignore = set(extra_ignore) | {id(objs), id(extra_ignore)}
    queue = collections.deque(objs)
    depth = {id(o): 0 for o in objs}
    ignore |= {id(queue), id(depth), id(ignore)}
    graph = {"starts": [_node_id(o) for o in objs], "nodes": [], "backwards": backwards}
    while queue:
        target = queue.popleft()  # off the queue, as objgraph: refcounts=True counts the same
        level = depth[id(target)]
        h, s, v = _shade((0, 0, 1), (0, 0, .3), level, max_depth)
        if inspect.ismodule(target):
            h, s = .3, 1
        if highlight and highlight(target):
            h, s, v = .6, .6, .5 + v * .5
        attributes = []
        if extra_node_attrs is not None:
            attributes = [[k, str(value)] for k, value in sorted(extra_node_attrs(target).items()) if value is not None]
        node = {"id": _node_id(target), "label": _node_label(target, extra_info, refcounts, shortnames),
                "attributes": attributes, "hsv": [h, s, v],
                "has_del": hasattr(getattr(target, "__class__", None), "__del__"),
                "edges": [], "skipped": 0, "skipped_hsv": list(_shade((0, 1, 1), (0, 1, .3), level + 1, max_depth))}
        graph["nodes"].append(node)
        if level >= max_depth or (cull is not None and cull(target)):
            continue
        drawn = 0
        for other in neighbours(target):
            if id(other) in ignore or (filter and not filter(other)):
                continue
            if drawn >= too_many:
                node["skipped"] += 1
                continue
            source, sink = (other, target) if backwards else (target, other)
            label, weight = _edge(source, sink, shortnames)
            node["edges"].append({"source": _node_id(source), "target": _node_id(sink), "label": label, "weight": weight})
            if id(other) not in depth:
                depth[id(other)] = level + 1
                queue.append(other)
            drawn += 1
            del other  # as objgraph: refcounts=True counts the same references
    return graph


def _ipython():
    """The running IPython shell, if any (without importing IPython)."""
    module = sys.modules.get("IPython")
    return module.get_ipython() if module is not None and hasattr(module, "get_ipython") else None


def _present(graph, filename, output):
    """Writes the drawing where objgraph would and says what it did."""
    engine = _engine()
    text = json.dumps(graph)
    if filename and output:
        raise ValueError("Cannot specify both output and filename.")
    if output:
        output.write(engine.render_graph(text, None))
        return
    inline = not filename and _ipython() is not None
    if not filename:
        fd, dot_path = tempfile.mkstemp(prefix="objgraph-", suffix=".dot")
        os.close(fd)
        filename = dot_path[:-4] + ".png"
    dot_path, image, note = engine.render_graph(text, filename)
    if inline and image:
        # In IPython and Jupyter, as objgraph does: the picture, shown inline.
        from IPython.display import Image
        return Image(filename=image)
    print("Graph written to %s (%d nodes)" % (dot_path, len(graph["nodes"])))
    if image:
        print("Image generated as %s" % image)
    elif note:
        print(note)


def show_backrefs(objs, max_depth=3, extra_ignore=(), filter=None, too_many=10, highlight=None, filename=None,
                  extra_info=None, refcounts=False, shortnames=True, output=None, extra_node_attrs=None,
                  retained=False):
    """Draws what refers to ``objs``, directly and indirectly (stopping at modules
    in ``sys.modules``). ``filename`` ending in .dot keeps DOT; .png, .svg... run
    Graphviz's ``dot``; ``output`` is a file object to write DOT to. With
    ``retained=True`` each box says what its object retains and is shaded by it."""
    graph = _draw(objs, _referrers_function(), True, max_depth, extra_ignore, filter, too_many, highlight, extra_info,
                  refcounts, shortnames, is_proper_module, extra_node_attrs)
    if retained:
        _label_retained(graph, objs)
    return _present(graph, filename, output)


def show_refs(objs, max_depth=3, extra_ignore=(), filter=None, too_many=10, highlight=None, filename=None,
              extra_info=None, refcounts=False, shortnames=True, output=None, extra_node_attrs=None,
              retained=False):
    """Draws what ``objs`` refer to, directly and indirectly. With
    ``retained=True`` each box says what its object retains and is shaded by it."""
    gc.collect()
    graph = _draw(objs, _engine().referents, False, max_depth, extra_ignore, filter, too_many, highlight,
                  extra_info, refcounts, shortnames, None, extra_node_attrs)
    if retained:
        _label_retained(graph, objs)
    return _present(graph, filename, output)


def show_chain(*chains, **kw):
    """Draws chains from ``find_backref_chain`` (or, with ``backrefs=False``,
    ``find_ref_chain``) and nothing else."""
    backrefs = kw.pop("backrefs", True)
    chains = [chain for chain in chains if chain]
    members = {id(o) for chain in chains for o in chain}
    kw["max_depth"] = max(len(chain) for chain in chains) - 1
    kw["filter"] = lambda o: id(o) in members
    if backrefs:
        return show_backrefs([chain[-1] for chain in chains], **kw)
    return show_refs([chain[0] for chain in chains], **kw)


# ---- paths, for leak reports -------------------------------------------------------

def _path_steps(chain):
    """How each object of ``chain`` refers to the next, written as Python would
    reach it: ``.name``, ``[3]``, ``['key']``; a module's namespace adds nothing, so
    a chain reads ``app.CACHE['k'][3]``. One string per reference."""
    steps = []
    namespace = False
    for source, target in zip(chain, chain[1:]):
        step = _path_step(source, target, namespace)
        namespace = step in ("", ".__dict__")
        steps.append(step)
    return steps


def _path_step(source, target, namespace=False):
    if target is getattr(source, "__dict__", None) and isinstance(target, dict):
        return "" if isinstance(source, types.ModuleType) else ".__dict__"
    if isinstance(source, dict):
        for key, value in source.items():
            if value is target:
                if namespace and isinstance(key, str) and _identifier(key):
                    return "." + key
                return "[%s]" % _clip(repr(key))
        for key in source:
            if key is target:
                return " key %s" % _clip(repr(key))
    if isinstance(source, (list, tuple)):
        for index, item in enumerate(source):
            if item is target:
                return "[%d]" % index
    if isinstance(source, (set, frozenset)):
        return " item"
    if isinstance(source, types.CellType):
        return ".cell_contents"
    if isinstance(source, (types.FunctionType, types.MethodType)):
        for attribute in ("__closure__", "__defaults__", "__kwdefaults__", "__globals__", "__self__", "__func__", "__dict__"):
            if getattr(source, attribute, None) is target:
                return "." + attribute
    try:
        attributes = vars(source)
    except TypeError:
        attributes = {}
    for name, value in attributes.items():
        if value is target:
            return "." + name
    for name in getattr(type(source), "__slots__", ()):
        if getattr(source, name, None) is target:
            return "." + name
    return " -> "


def _clip(text, width=40):
    return text if len(text) <= width else text[:width - 3] + "..."


# ---- retained sizes -----------------------------------------------------------

def _dominator_tree(question=None):
    """A snapshot of the heap's dominator tree, after a full collection. The
    objects of ``question`` (a list or tuple) are asked about: what the asking
    holds (that container, a frame, the call) is not taken for their holders."""
    return _engine().dominator_tree(True, question)


def retained(obj):
    """The bytes (``sys.getsizeof``) that would be freed if ``obj`` went: its
    own size and that of every object only it keeps alive, directly or not. An
    object that something else also holds is not counted."""
    tree = _dominator_tree()
    size = _engine().retained_size(tree, obj)
    return size if size is not None else sys.getsizeof(obj)


def dominators(obj):
    """The objects that keep ``obj`` alive on every path from the heap's roots,
    outermost first, the nearest last: if any of them went, ``obj`` would go
    too. The references this call holds to ``obj`` are left out (so is a local
    variable naming it); empty when nothing else holds ``obj`` alone: it is
    reached from two roots, or only from a frame or C code."""
    tree = _dominator_tree((obj,))
    return _engine().dominator_chain(tree, obj)


def top_retained(limit=10, typename=None):
    """The ``limit`` objects with the largest retained sizes, as
    ``[(obj, bytes)]``, largest first; only those of ``typename`` (``Name`` or
    ``module.Name``) if given."""
    tree = _dominator_tree()
    return _engine().largest_retained(tree, limit, typename)


def _format_bytes(size):
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return "%.1f %s" % (size / scale, unit)
    return "%d B" % size


def _label_retained(graph, objs):
    """Adds each drawn object's retained size to its box, and shades the box
    from pale yellow (little) to orange (the most in the drawing), on a
    logarithmic scale. The list of objects the drawing started from does not
    count as holding them."""
    addresses = [int(node["id"][1:]) for node in graph["nodes"]]
    question = objs if isinstance(objs, (list, tuple)) else (objs,)
    sizes = _engine().retained_sizes(_dominator_tree(question), addresses)
    known = [size for size in sizes if size]
    smallest, largest = (min(known), max(known)) if known else (1, 1)
    for node, size in zip(graph["nodes"], sizes):
        if size is None:
            continue
        node["label"] += "\nretains " + _format_bytes(size)
        share = _log_share(size, smallest, largest)
        node["hsv"] = [0.16 - 0.08 * share, 0.15 + 0.75 * share, 1.0]


def _log_share(size, smallest, largest):
    """Where ``size`` lies between ``smallest`` and ``largest``, in 0...1, by logarithm."""
    if largest <= smallest or size <= smallest:
        return 0.0 if largest > smallest else 1.0
    return min(1.0, math.log(size / smallest) / math.log(largest / smallest))
