"""Caches that fill during the first calls and then stay full: not leaks.

The re module keeps each pattern compiled, struct each format, lru_cache each
argument; the function uses a new one a call for twelve calls, then the same ones.
"""
import functools
import re
import struct

WORDS = [f"word{n}" for n in range(12)]
FORMATS = [f"<{n + 1}i" for n in range(12)]


@functools.lru_cache(maxsize=64)
def shout(word):
    return word.upper() + "!"


calls = 0


def handle():
    global calls
    calls += 1
    turn = calls % 12
    re.compile(rf"{WORDS[turn]}-(\d+)").match(f"{WORDS[turn]}-{calls}")
    struct.calcsize(FORMATS[turn])
    shout(WORDS[turn])
    return [float(n) for n in range(100)]  # temporaries, gone after the call
