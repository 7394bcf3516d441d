"""The parent allocates and touches 200 MiB, then forks; the child keeps all of it
and runs child_work, whose one line allocates 20 MiB (kept), and exits normally.
The parent waits for it and prints the child's pid to stderr as `child-pid N`.

Known answer under `pyrometer memory -f child_work --follow-fork`: the child's
report gives child_work's allocating line an increment of 20 MiB.
"""
import os
import sys

MIB = 2**20


def child_work():
    data = bytearray(20 * MIB)  # child-alloc
    return data  # child-return


big = bytearray(200 * MIB)
big[::4096] = b"\x01" * len(range(0, len(big), 4096))  # touch every page
sys.stdout.flush()
pid = os.fork()
if pid == 0:
    kept = child_work()
    sys.exit(0)
print(f"child-pid {pid}", file=sys.stderr, flush=True)
os.waitpid(pid, 0)
