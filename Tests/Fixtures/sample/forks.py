"""The parent spins a million times, a forked child two million: with
--follow-fork the child reports its own samples (spin, on its own thread) to
NAME.<pid>.json; without it only the parent reports."""
import os


def spin(n):
    total = 0
    for i in range(n):
        total += i  # spin-line
    return total


pid = os.fork()
if pid == 0:
    spin(2_000_000)
    raise SystemExit(0)
spin(1_000_000)
os.waitpid(pid, 0)
