"""Forks once. The parent calls f(10) once before the fork and 4 times after it,
then waits for the child; the child calls f(10) 3 times and exits normally: by
sys.exit(0) (`python fork_counts.py exit`) or by falling off the end of the
program (`python fork_counts.py end`). The parent prints the child's pid to stderr
as `child-pid N`.

Known answers under `pyrometer lines -f f`: the parent's profile has 5 calls'
worth (for line 55 hits, body 50, first and last lines 5); the child's own profile
(with --follow-fork) has 3 calls' worth (33, 30, 3), none of the parent's call made
before the fork.
"""
import os
import sys


def f(n):
    total = 0  # f-total
    for i in range(n):  # f-for
        total += i  # f-body
    return total  # f-return


f(10)
sys.stdout.flush()
pid = os.fork()
if pid == 0:
    for _ in range(3):
        f(10)
    if sys.argv[1] == "exit":
        sys.exit(0)
else:
    print(f"child-pid {pid}", file=sys.stderr, flush=True)
    for _ in range(4):
        f(10)
    _, status = os.waitpid(pid, 0)
    print(f"child-status {status}", file=sys.stderr, flush=True)
