"""The two slow leaks of this folder at once: a Token kept every 5th call, and
a log string 8 bytes longer each call."""
import slow_leak
import small_bytes_leak


def handle():
    slow_leak.handle()
    small_bytes_leak.handle()
