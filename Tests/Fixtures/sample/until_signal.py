"""Spins half a million times, prints "ready", then spins and naps until a signal
ends it (at most 60 s). Known answers: the samples taken before "ready" (tens of
milliseconds of CPU time) are in the report and the -o file, under spin; the exit
status is 128 + the signal's number."""
import sys
import time


def spin(n):
    total = 0
    for i in range(n):
        total += i  # spin-line
    return total


spin(500_000)
print("ready", flush=True)
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    spin(10_000)
    time.sleep(0.005)
sys.exit(3)  # not reached when a signal ends the program
