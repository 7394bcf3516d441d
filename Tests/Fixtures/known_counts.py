"""Functions whose line hits are known exactly. Lines are found by their markers."""
import asyncio
import time


@profile
def fixed_loops():
    total = 0
    for i in range(1000):  # for-header
        total += i  # for-body
    count = 0
    while count < 250:  # while-header
        count += 1  # while-body
    return total + count  # loops-return


@profile
def fib(n):
    if n < 2:  # fib-test
        return n  # fib-base
    return fib(n - 1) + fib(n - 2)  # fib-recurse


class Vector:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    @profile
    def dot(self, other):
        result = self.x * other.x  # dot-first
        return result + self.y * other.y  # dot-return


@profile
def countdown(n):
    while n > 0:  # gen-header
        yield n  # gen-yield
        n -= 1  # gen-step


@profile
def consume():
    total = 0
    for value in countdown(5):  # consume-for
        total += value  # consume-body
    return total


@profile
def slow_consumer():
    for value in countdown(3):  # slow-for
        time.sleep(0.02)  # slow-sleep


def make_counter():
    count = 0

    @profile
    def bump(step):
        nonlocal count
        count += step  # closure-body
        return count

    return bump


@profile
def raises(value):
    if value > 2:  # raises-test
        raise ValueError(value)  # raises-raise
    return value  # raises-return


@profile
def catches():
    caught = 0
    for value in range(5):  # catches-for
        try:
            raises(value)  # catches-call
        except ValueError:
            caught += 1  # catches-handler
    return caught


@profile
async def tick(n):
    for i in range(n):  # coro-for
        await asyncio.sleep(0)  # coro-await
    return n


@profile
def outer():
    def inner(x):
        return x * 2

    return sum(inner(i) for i in range(10))  # outer-sum


def main():
    assert fixed_loops() == 499500 + 250
    assert fib(10) == 55
    v = Vector(1, 2)
    for _ in range(7):
        v.dot(v)
    assert consume() == 15
    slow_consumer()
    bump = make_counter()
    for _ in range(4):
        bump(2)
    assert catches() == 2
    asyncio.run(tick(3))
    outer()


if __name__ == "__main__":
    main()
