"""Work in a generator, a coroutine and a thread, each on its own marked line:
samples land on the line of the function that runs it (squares, accumulate,
worker), the worker's on the thread named "worker"."""
import threading


def squares(n):
    for i in range(n):
        yield i * i  # generator-line


async def accumulate(n):
    total = 0
    for i in range(n):
        total += i  # coroutine-line
    return total


def run_coroutine(coroutine):
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value


def worker():
    total = 0
    for i in range(3_000_000):
        total += i  # thread-line
    return total


thread = threading.Thread(target=worker, name="worker")
thread.start()
for _ in range(30):
    sum(squares(50_000))
    run_coroutine(accumulate(100_000))
thread.join()
