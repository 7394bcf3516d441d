"""A background thread allocates 49 MiB (and keeps it) while the timed function
`main` sits on its sleep line.

The thread is started before main runs and waits on an Event that main sets just
before it sleeps, so the allocation happens during the sleep (the program prints
whether it had finished before the sleep ended). Known answers under
`pyrometer memory -f main`: the sleep line allocates nothing itself (increment
< 1 MiB); the program's traced peak includes the thread's 49 MiB.
"""
import json
import threading
import time

MIB = 2**20
go = threading.Event()
allocated = threading.Event()
kept = []


def grower():
    go.wait()
    kept.append(bytearray(49 * MIB))  # grower-alloc
    allocated.set()


def main():
    go.set()  # main-go
    time.sleep(0.5)  # main-sleep
    return allocated.is_set()  # main-return


if __name__ == "__main__":
    thread = threading.Thread(target=grower)
    thread.start()
    during_sleep = main()
    thread.join()
    print(json.dumps({"allocated_during_sleep": during_sleep, "kept": len(kept[0])}))
