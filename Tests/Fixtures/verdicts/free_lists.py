"""More temporaries each call (floats, tuples, lists, dicts), all dropped before
it returns. CPython keeps some freed ones on free lists for reuse; those are not
live objects, and nothing that lives grows."""
calls = 0


def handle():
    global calls
    calls += 1
    scratch = []
    for n in range(50 * calls):
        scratch.append((float(n), [n], {"n": n}))
    total = sum(item[0] for item in scratch)
    del scratch
    return total
