"""A dict and a list that each grow once, in the middle of the run (call 15),
and never again: a step, not a trend."""
SETTINGS = {f"option-{n}": n for n in range(5)}
ROUTES = [f"/route/{n}" for n in range(4)]

calls = 0


def handle():
    global calls
    calls += 1
    if calls == 15:
        # Six more keys make the dict resize; twelve more items, the list.
        SETTINGS.update({f"late-option-{n}": n for n in range(6)})
        ROUTES.extend(f"/late/{n}" for n in range(12))
    return sum(SETTINGS.values()) + len(ROUTES)
