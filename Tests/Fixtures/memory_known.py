"""Allocations whose sizes are known exactly. Lines are found by their markers."""
import json
import os
import sys
import threading

MIB = 2**20


def resident_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@profile
def big_block():
    block = bytearray(100 * MIB)  # big-alloc
    rss_after = resident_bytes()  # big-rss
    del block  # big-del
    return rss_after


@profile
def many_small():
    data = [bytes(7) for _ in range(10**6)]  # many-alloc
    return data, sum(map(sys.getsizeof, data)) + sys.getsizeof(data)


@profile
def grow(store):
    store.append(bytearray(MIB))  # grow-append


def worker(out):
    out.append(bytearray(30 * MIB))  # thread-alloc


@profile
def threaded():
    out = []
    thread = threading.Thread(target=worker, args=(out,))
    thread.start()
    thread.join()  # thread-join
    return out


CACHE = {}


def fill_cache():
    CACHE["planted"] = bytes(50 * MIB)  # planted-cache


if __name__ == "__main__":
    rss = big_block()
    data, expected_small = many_small()
    store = []
    for _ in range(3):
        grow(store)
    kept = threaded()
    fill_cache()
    print(json.dumps({"rss_after_big": rss, "expected_small": expected_small}))
