"""A thread hashes big buffers in hashlib, which lets the GIL go while it hashes,
while the main thread spins in Python holding it: cpu mode sees the hashing line,
gil mode drops its samples (withoutGIL)."""
import hashlib
import threading

DATA = b"x" * (32 << 20)


def hasher():
    for _ in range(8):
        hashlib.sha256(DATA).hexdigest()  # hash-line


def spin(n):
    total = 0
    for i in range(n):
        total += i  # spin-line
    return total


thread = threading.Thread(target=hasher, name="hasher")
thread.start()
spin(4_000_000)
thread.join()
