"""Known bytes held by known stacks: 30 MiB under keep_a and 10 MiB under keep_b
until the end; 50 MiB under temporary at the peak only."""
MIB = 1 << 20


def make(n):
    return bytearray(n)


def keep_a():
    return make(30 * MIB)


def keep_b():
    return make(10 * MIB)


def temporary():
    block = make(50 * MIB)
    return len(block)


kept = [keep_a(), keep_b()]
temporary()
