"""Ends in the way argv[1] asks: return, raise, exit N, or interrupt."""
import os
import signal
import sys


@profile
def step(n):
    return n + 1  # step-body


for i in range(3):
    step(i)

how = sys.argv[1] if len(sys.argv) > 1 else "return"
if how == "raise":
    raise RuntimeError("planted failure")
if how == "exit":
    sys.exit(int(sys.argv[2]))
if how == "interrupt":
    os.kill(os.getpid(), signal.SIGINT)
    signal.pause()
print("returned normally")
