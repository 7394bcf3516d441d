"""100 threads run work(20000) at once, behind a Barrier, with a switch interval of
1 microsecond so that they really interleave.

Known answers under `pyrometer lines -f work`: the body line has 100 * 20000 =
2,000,000 hits, the for line 100 * 20001 = 2,000,100, the first and last lines 100.
"""
import json
import sys
import threading

THREADS = 100
N = 20000
barrier = threading.Barrier(THREADS)
results = []


def work(n):
    total = 0  # work-total
    for i in range(n):  # work-for
        total += i  # work-body
    return total  # work-return


def run():
    barrier.wait()
    results.append(work(N))


if __name__ == "__main__":
    sys.setswitchinterval(1e-6)
    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"results": len(results), "right": all(r == N * (N - 1) // 2 for r in results)}))
