"""A worker thread compresses about 8 MB with lzma (preset 6) three times while the
timed function `main` spins on lines that allocate nothing lasting.

lzma's encoder allocates its large blocks (about 90 MiB at preset 6) through
PyMem_RawMalloc with the GIL released, so they happen while the main thread is on
one of main's lines. Known answer under `pyrometer memory -f main`: none of main's
lines allocates more than a few bytes (no line's increment or peak reaches 1 MiB),
and no --top entry on main's lines holds 1 MiB.
"""
import json
import lzma
import threading

DATA = bytes(range(256)) * (8 * 10**6 // 256)  # 8 MB, compresses quickly
finished = threading.Event()
sizes = []


def worker():
    for _ in range(3):
        sizes.append(len(lzma.compress(DATA, preset=6)))
    finished.set()


def main():
    spins = 0  # main-first
    while not finished.is_set():  # main-test
        spins += 1  # main-spin
    return spins > 0  # main-last


if __name__ == "__main__":
    thread = threading.Thread(target=worker)
    thread.start()
    spun = main()
    thread.join()
    print(json.dumps({"compressions": len(sizes), "spun": spun}))
