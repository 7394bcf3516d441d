"""The parent calls f(10) twice before forking and 3 times after, and ends without
waiting; the child calls nothing, sleeps 1 s and exits normally, after the parent.
The parent prints the child's pid to stderr as `child-pid N`.

Known answer under `pyrometer lines -f f -o out.json`: out.json, read once the
child is gone, holds the parent's 5 calls (for line 55 hits, body 50); a child
that wrote it would leave 2 calls' worth or none.
"""
import os
import sys
import time


def f(n):
    total = 0  # f-total
    for i in range(n):  # f-for
        total += i  # f-body
    return total  # f-return


f(10)
f(10)
sys.stdout.flush()
pid = os.fork()
if pid == 0:
    time.sleep(1)
    sys.exit(0)
print(f"child-pid {pid}", file=sys.stderr, flush=True)
for _ in range(3):
    f(10)
