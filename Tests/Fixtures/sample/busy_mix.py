"""Threads, asyncio, generators, exceptions and deep recursion at once: sampled at
10 kHz in every mode the program ends well and prints "ok"; stacks deeper than 128
frames keep their innermost 128 under "(deeper frames left out)"."""
import asyncio, threading, sys
sys.setrecursionlimit(5000)
def deep(n):
    return 0 if n == 0 else 1 + deep(n - 1)
def gen(n):
    for i in range(n):
        yield i
def raiser(n):
    c = 0
    for i in range(n):
        try:
            raise ValueError(i)
        except ValueError:
            c += 1
    return c
async def job(i):
    await asyncio.sleep(0)
    return sum(gen(200))
async def main():
    return sum(await asyncio.gather(*(job(i) for i in range(300))))
def worker():
    for _ in range(30):
        deep(300); sum(gen(3000)); raiser(300)
for round in range(6):
    ts = [threading.Thread(target=worker) for _ in range(6)]
    for t in ts: t.start()
    asyncio.run(main())
    deep(2000)
    for t in ts: t.join()
print("ok")
