"""Starts THREADS short threads (argv[1], default 60000) one after another, each
calling work(i) once, and prints the process's resident size (from
/proc/self/statm) after 5,000 threads and at the end, as JSON.

Known answers under `pyrometer lines -f work`: work's body line has THREADS hits;
the resident size grows by less than 4 MiB between the two readings (each
thread's records are released when it ends).
"""
import json
import os
import sys
import threading


def resident_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def work(i):
    return i * 2  # churn-body


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 60000
    early = None
    for i in range(count):
        thread = threading.Thread(target=work, args=(i,))
        thread.start()
        thread.join()
        if i + 1 == 5000:
            early = resident_bytes()
    print(json.dumps({"threads": count, "rss_after_5000": early, "rss_at_end": resident_bytes()}))
