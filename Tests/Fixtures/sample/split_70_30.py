"""CPU time split 70/30 between two functions with the same loop: heavy runs
7 000 iterations for each 3 000 of light, interleaved so that any change of
speed while it runs falls on both. Known answer: heavy has 70% and light 30% of
the samples of the two (within a few points)."""


def heavy(n):
    total = 0
    for i in range(n):
        total += i * i  # heavy-body
    return total


def light(n):
    total = 0
    for i in range(n):
        total += i * i  # light-body
    return total


for _ in range(1200):
    heavy(7000)
    light(3000)
