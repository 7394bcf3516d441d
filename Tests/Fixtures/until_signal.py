"""Runs work(100) every few milliseconds until a signal ends it (at most 60 s),
printing "ready" once the first call has returned, so a test can send SIGTERM or
SIGHUP. Known answers: under pyrometer, the report and the -o file hold work's
lines with the for line at 101 hits per call (and at least one call); the exit
status is 128 + the signal's number (143 for SIGTERM, 129 for SIGHUP)."""
import sys
import time


def work(n):
    total = 0  # work-total
    for i in range(n):  # work-for
        total += i  # work-body
    return total  # work-return


work(100)
print("ready", flush=True)
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    work(100)
    time.sleep(0.005)
sys.exit(3)  # not reached when a signal ends the program
