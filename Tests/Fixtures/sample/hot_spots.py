"""Three functions of different weight called from the module: the hottest
function is mix (about 60% of the time) and its hottest line the one marked
mix-hot; line_profiler (kernprof -l) and pyrometer sample must agree."""


def mix(n):
    total = 0
    for i in range(n):
        total += (i * i) % 7  # mix-hot
    return total


def plain(n):
    total = 0
    for i in range(n):
        total += i  # plain-hot
    return total


def tiny(n):
    return sum(range(n))


for _ in range(20):
    mix(60_000)
    plain(40_000)
    tiny(1000)
