"""Spends 0.3 s of CPU time in `spin_a` or `spin_b`, as argument 1 says."""
import sys
import time


def burn(seconds):
    end = time.process_time() + seconds
    total = 0
    while time.process_time() < end:
        total += 1
    return total


def spin_a():
    return burn(0.3)


def spin_b():
    return burn(0.3)


spin_a() if sys.argv[1] == "a" else spin_b()
