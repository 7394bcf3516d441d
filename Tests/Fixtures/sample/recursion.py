"""down(n) recurses n times, then spins: every sample inside spin has down
exactly DEPTH + 1 times on its stack, under <module>."""
DEPTH = 12


def spin():
    total = 0
    for i in range(20000):
        total += i  # spin-body
    return total


def down(n):
    if n == 0:
        return spin()
    return down(n - 1)


for _ in range(200):
    down(DEPTH)
