"""Half a second of CPU work, then half a second in time.sleep: wall mode sees
nap() on its sleep line for about half of the samples; cpu mode does not see it."""
import time


def work():
    total = 0
    deadline = time.process_time() + 0.5
    while time.process_time() < deadline:
        for i in range(1000):
            total += i  # work-line
    return total


def nap():
    time.sleep(0.5)  # sleep-line


work()
nap()
