"""Objects, closures, generators and coroutines for the differential test."""
import asyncio


class Account:
    def __init__(self, balance):
        self.balance = balance

    @profile
    def deposit(self, amount):
        if amount <= 0:
            raise ValueError(amount)
        self.balance += amount
        return self.balance

    @property
    @profile
    def doubled(self):
        return self.balance * 2

    @staticmethod
    @profile
    def fee(amount):
        return amount // 10

    @classmethod
    @profile
    def empty(cls):
        return cls(0)


def make_adder(k):
    @profile
    def add(x):
        return x + k
    return add


@profile
def numbers(n):
    for i in range(n):
        received = yield i
        if received:
            n += received


@profile
def drive_generators():
    total = sum(numbers(10))
    gen = numbers(3)
    next(gen)
    gen.send(2)
    for value in gen:
        total += value
    early = numbers(100)
    for value in early:
        if value > 3:
            break
    early.close()
    return total


@profile
async def fetch(i):
    await asyncio.sleep(0)
    return i * 2


@profile
async def gather(n):
    results = await asyncio.gather(*(fetch(i) for i in range(n)))
    total = 0
    for r in results:
        total += r
    return total


account = Account.empty()
for amount in range(5):
    try:
        account.deposit(amount)
    except ValueError:
        pass
    account.doubled
    Account.fee(amount * 100)
add = make_adder(3)
for i in range(6):
    add(i)
drive_generators()
asyncio.run(gather(4))
