"""Functions the Session tests (Tests/e2e/test_sessions.py) measure. Lines are found
by their markers.

Known answers (line_profiler's counting, the same on 3.11, 3.12 and 3.13):
  f(n): the total line 1 hit, the for line n + 1, the body n, the return 1.
  ten(): under sys.settrace it makes 1 'call', 23 'line' (1 + 11 + 10 + 1) and
  1 'return' event.
  keep_10mib(): its allocating line increments traced memory by 10 MiB (kept: the
  bytearray is returned).
"""

MIB = 2**20


def f(n):
    total = 0  # f-total
    for i in range(n):  # f-for
        total += i  # f-body
    return total  # f-return


def ten():
    total = 0
    for i in range(10):
        total += i
    return total


def keep_10mib():
    block = bytearray(10 * MIB)  # keep-alloc
    return block  # keep-return
